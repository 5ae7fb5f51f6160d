/**
 * The only file that touches ipcMain. It wires the contract tables to Electron and delegates every
 * decision (trust, channel, validation, error mapping) to the pure functions in ./dispatch.
 */
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  eventContract,
  invokeContract,
  invokeChannels,
  sendChannels,
  sendContract,
  type EventChannel,
  type EventChannels,
  type IpcResult,
} from '../../shared/ipc';
import { dispatchInvoke, dispatchSend, parseEventPayload, type SenderPolicy } from './dispatch';
import type { AppInvokeHandlers, AppSendListeners } from './handler-types';

export type { AppInvokeHandlers, AppSendListeners } from './handler-types';

/**
 * The URL of the frame that sent a message, or null when it cannot be trusted by construction: the
 * frame is gone or detached, or it is a sub-frame (only the window's top-level document may talk).
 */
function topLevelSenderUrl(event: IpcMainEvent | IpcMainInvokeEvent): string | null {
  const frame = event.senderFrame;
  if (frame === null || frame.detached || frame.parent !== null) return null;
  return frame.url;
}

/**
 * Registers one ipcMain.handle per invoke channel of the contract. Electron answers channels without
 * a handler itself, and dispatchInvoke re-checks the name, so unknown channels never reach a handler.
 * Returns a function that removes the handlers again.
 */
export function registerHandlers(handlers: AppInvokeHandlers, policy: SenderPolicy): () => void {
  for (const channel of invokeChannels) {
    ipcMain.handle(channel, (event, payload: unknown): Promise<IpcResult<unknown>> =>
      dispatchInvoke(invokeContract, handlers, channel, topLevelSenderUrl(event), payload, policy),
    );
  }
  return () => {
    for (const channel of invokeChannels) ipcMain.removeHandler(channel);
  };
}

/** Registers the fire-and-forget listeners; refusals and listener failures are logged, not answered. */
export function registerSendListeners(listeners: AppSendListeners, policy: SenderPolicy): () => void {
  const subscriptions = sendChannels.map((channel) => {
    const onMessage = (event: IpcMainEvent, payload: unknown): void => {
      void dispatchSend(sendContract, listeners, channel, topLevelSenderUrl(event), payload, policy).then((result) => {
        if (!result.ok) console.warn(`[ipc] ${channel}: ${result.error.name}: ${result.error.message}`);
      });
    };
    ipcMain.on(channel, onMessage);
    return { channel, onMessage };
  });
  return () => {
    for (const { channel, onMessage } of subscriptions) ipcMain.removeListener(channel, onMessage);
  };
}

/**
 * Pushes an event to one window after validating it against the contract. Windows that are closing
 * are skipped silently: a progress update for a window that is gone is not an error.
 */
export function sendEvent<E extends EventChannel>(webContents: WebContents, event: E, payload: EventChannels[E]): void {
  const validated = parseEventPayload(eventContract, event, payload);
  if (webContents.isDestroyed()) return;
  webContents.send(event, validated);
}
