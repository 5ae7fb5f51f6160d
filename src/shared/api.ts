/**
 * The API the renderer programs against. The Electron preload implements it on top of IPC and
 * exposes it as `window.polaris`; a WebSocket client (for a browser or remote UI) can implement the
 * same interface, so renderer code never depends on which transport carries the messages.
 */
import type {
  EventChannel,
  EventChannels,
  InvokeArgs,
  InvokeChannel,
  InvokeResponse,
  IpcResult,
  SendChannel,
  SendChannels,
} from './ipc';

export interface PolarisApi {
  /** Request/response call; failures come back as `{ ok: false, error: { name, message } }`, never as throws. */
  invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<IpcResult<InvokeResponse<C>>>;
  /** Fire-and-forget message to the backend. */
  send<C extends SendChannel>(channel: C, payload: SendChannels[C]): void;
  /** Subscribes to a backend event; returns the function that unsubscribes. */
  on<E extends EventChannel>(event: E, listener: (payload: EventChannels[E]) => void): () => void;
}

/** The global name under which the preload exposes the API (`window.polaris`). */
export const POLARIS_API_GLOBAL = 'polaris';
