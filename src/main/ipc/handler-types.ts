/**
 * The handler table types of the app's contract, without an electron import, so that the handlers,
 * the WebSocket server and the tests can name them in plain Node.
 */
import type { invokeContract, sendContract } from '../../shared/ipc';
import type { InvokeHandlers, SendListeners } from './dispatch';

export type AppInvokeHandlers = InvokeHandlers<typeof invokeContract>;
export type AppSendListeners = SendListeners<typeof sendContract>;
