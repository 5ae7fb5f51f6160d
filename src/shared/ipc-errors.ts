/**
 * The error shape of the IPC layer, without zod, so the renderer can branch on error names without
 * pulling the schema library into its bundle. Re-exported by ./ipc.
 */

/** What a failure looks like on the wire: a name to branch on and a message for people. No stack. */
export interface IpcError {
  name: string;
  message: string;
}

/** Every invoke answers with this envelope, so errors keep their name across the process boundary. */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

/** Error names produced by the IPC layer itself (handlers add their own, e.g. DatasetFileError). */
export const IpcErrorNames = {
  untrustedSender: 'UntrustedSenderError',
  unknownChannel: 'UnknownChannelError',
  invalidPayload: 'InvalidPayloadError',
  invalidResponse: 'InvalidResponseError',
  notImplemented: 'NotImplementedError',
} as const;
