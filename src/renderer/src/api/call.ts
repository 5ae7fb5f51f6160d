/**
 * Promise-style calls on top of the PolarisApi envelope: the value on success, an ApiCallError (with
 * the backend's error name and message) on failure, so async UI code can use try/catch.
 */
import type { PolarisApi } from '../../../shared/api';
import type { InvokeArgs, InvokeChannel, InvokeResponse } from '../../../shared/ipc';
import type { IpcError } from '../../../shared/ipc-errors';

export class ApiCallError extends Error {
  readonly ipcError: IpcError;

  constructor(readonly channel: string, error: IpcError) {
    super(error.message);
    this.name = error.name;
    this.ipcError = error;
  }
}

export async function call<C extends InvokeChannel>(api: PolarisApi, channel: C, ...args: InvokeArgs<C>): Promise<InvokeResponse<C>> {
  let result: Awaited<ReturnType<PolarisApi['invoke']>>;
  try {
    result = await api.invoke(channel, ...args);
  } catch (thrown) {
    // The envelope never throws by contract; a throw means the transport itself broke.
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    throw new ApiCallError(channel, { name: 'TransportError', message });
  }
  if (!result.ok) throw new ApiCallError(channel, result.error);
  return result.value as InvokeResponse<C>;
}

/** Any thrown value as an IpcError, for display. */
export function toIpcError(thrown: unknown): IpcError {
  if (thrown instanceof ApiCallError) return thrown.ipcError;
  if (thrown instanceof Error) return { name: thrown.name, message: thrown.message };
  return { name: 'Error', message: String(thrown) };
}
