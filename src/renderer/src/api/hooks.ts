/** React hooks over the PolarisApi: load a channel's answer, and subscribe to backend events. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { EventChannel, EventChannels, InvokeArgs, InvokeChannel, InvokeResponse } from '../../../shared/ipc';
import type { IpcError } from '../../../shared/ipc-errors';
import { useApi } from './ApiContext';
import { call, toIpcError } from './call';

export type Loadable<T> = { state: 'loading' } | { state: 'ready'; value: T } | { state: 'failed'; error: IpcError };

/**
 * Calls `channel` whenever `key` changes (a string naming the request, e.g. the run id), and again
 * when `reload()` is called. Answers for an older key are dropped. `args` may be null to wait.
 */
export function useInvoke<C extends InvokeChannel>(
  channel: C,
  args: InvokeArgs<C> | null,
  key: string,
): { loadable: Loadable<InvokeResponse<C>>; reload: () => void } {
  const api = useApi();
  const [loadable, setLoadable] = useState<Loadable<InvokeResponse<C>>>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  // The args are read through a ref so callers may pass a fresh array each render; `key` decides refetching.
  const argsRef = useRef(args);
  argsRef.current = args;

  useEffect(() => {
    const current = argsRef.current;
    if (current === null) return;
    let live = true;
    call(api, channel, ...current)
      .then((value) => {
        if (live) setLoadable({ state: 'ready', value });
      })
      .catch((thrown: unknown) => {
        if (live) setLoadable({ state: 'failed', error: toIpcError(thrown) });
      });
    return () => {
      live = false;
    };
  }, [api, channel, key, generation]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return { loadable, reload };
}

/** Subscribes to one backend event for the lifetime of the component. */
export function useBackendEvent<E extends EventChannel>(event: E, listener: (payload: EventChannels[E]) => void): void {
  const api = useApi();
  const listenerRef = useRef(listener);
  listenerRef.current = listener;
  useEffect(() => api.on(event, (payload) => listenerRef.current(payload)), [api, event]);
}
