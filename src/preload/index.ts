/**
 * The only file that touches ipcRenderer. It exposes `window.polaris`, a PolarisApi limited to the
 * channels of the contract; the renderer never sees ipcRenderer, IPC events or Node.
 * Runs sandboxed, so it is bundled to CommonJS with its dependencies inlined (electron.vite.config.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { POLARIS_API_GLOBAL, type PolarisApi } from '../shared/api';
import {
  eventContract,
  invokeContract,
  IpcErrorNames,
  isContractChannel,
  sendContract,
  type EventChannel,
  type EventChannels,
  type InvokeArgs,
  type InvokeChannel,
  type InvokeResponse,
  type IpcResult,
  type SendChannel,
  type SendChannels,
} from '../shared/ipc';

function isIpcResult(value: unknown): value is IpcResult<unknown> {
  return typeof value === 'object' && value !== null && 'ok' in value && typeof value.ok === 'boolean';
}

function rejectedChannel(channel: string): IpcResult<never> {
  const message = `Unknown IPC channel "${String(channel).slice(0, 100)}"`;
  return { ok: false, error: { name: IpcErrorNames.unknownChannel, message } };
}

async function invoke<C extends InvokeChannel>(
  channel: C,
  ...args: InvokeArgs<C>
): Promise<IpcResult<InvokeResponse<C>>> {
  // Checked here as well as in main, so a compromised page cannot reach channels outside the contract.
  if (!isContractChannel(invokeContract, channel)) return rejectedChannel(channel);
  const result: unknown = await ipcRenderer.invoke(channel, args[0]);
  if (!isIpcResult(result)) {
    return { ok: false, error: { name: 'ProtocolError', message: `Malformed answer on ${channel}` } };
  }
  // Main validated the value against the channel's response schema before sending it.
  return result as IpcResult<InvokeResponse<C>>;
}

function send<C extends SendChannel>(channel: C, payload: SendChannels[C]): void {
  if (!isContractChannel(sendContract, channel)) return;
  ipcRenderer.send(channel, payload);
}

function on<E extends EventChannel>(event: E, listener: (payload: EventChannels[E]) => void): () => void {
  if (!isContractChannel(eventContract, event)) return () => undefined;
  // Only the payload is passed on: the IpcRendererEvent would hand the page a handle to ipcRenderer.
  const forward = (_event: IpcRendererEvent, payload: unknown): void => {
    // Main validated the payload against the event's schema before sending it.
    listener(payload as EventChannels[E]);
  };
  ipcRenderer.on(event, forward);
  return () => {
    ipcRenderer.removeListener(event, forward);
  };
}

const api: PolarisApi = { invoke, send, on };

contextBridge.exposeInMainWorld(POLARIS_API_GLOBAL, api);
