/**
 * The transport-independent core of the IPC layer: check the sender, check the channel, validate the
 * payload against the contract, call the handler, validate its answer, and turn every failure into a
 * plain `{ name, message }`. No electron import here, so it runs (and is tested) in plain Node and
 * can sit behind a WebSocket server as well as behind ipcMain.
 */
import type { z } from 'zod';
import {
  IpcErrorNames,
  isContractChannel,
  type InvokeContract,
  type IpcError,
  type IpcResult,
  type MessageContract,
} from '../../shared/ipc';

/** One async handler per channel, typed from the contract. */
export type InvokeHandlers<Contract extends InvokeContract> = {
  [C in keyof Contract]: (
    payload: z.output<Contract[C]['request']>,
  ) => Promise<z.input<Contract[C]['response']>>;
};

/** One listener per fire-and-forget channel. */
export type SendListeners<Contract extends MessageContract> = {
  [C in keyof Contract]: (payload: z.output<Contract[C]>) => void | Promise<void>;
};

export interface SenderPolicy {
  /** True when the URL of the frame that sent a message is the app's own renderer. */
  isTrustedSender(frameUrl: string): boolean;
}

/** Messages cross into UI and logs; keep them bounded even when a payload was huge. */
const MAX_ERROR_MESSAGE_LENGTH = 2000;
const MAX_ERROR_NAME_LENGTH = 100;
const MAX_REPORTED_ISSUES = 5;

export class IpcDispatchError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

function truncate(text: string, maxLength: number): string {
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

/**
 * Reduces anything thrown to `{ name, message }`. Stacks are dropped on purpose: they expose source
 * paths and are no use to the renderer. Never throws, even for hostile objects with throwing getters.
 */
export function toIpcError(thrown: unknown): IpcError {
  try {
    if (thrown instanceof Error) {
      const name = typeof thrown.name === 'string' && thrown.name.length > 0 ? thrown.name : 'Error';
      const message = typeof thrown.message === 'string' ? thrown.message : '';
      return {
        name: truncate(name, MAX_ERROR_NAME_LENGTH),
        message: truncate(message, MAX_ERROR_MESSAGE_LENGTH),
      };
    }
    return { name: 'Error', message: truncate(String(thrown), MAX_ERROR_MESSAGE_LENGTH) };
  } catch {
    return { name: 'Error', message: 'An error occurred that could not be described' };
  }
}

/** "field.path: what is wrong; …", at most a few issues, so the user sees which field to fix. */
export function describeValidationIssues(issues: readonly z.core.$ZodIssue[]): string {
  const described = issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(payload)';
    return `${truncate(where, 200)}: ${truncate(issue.message, 300)}`;
  });
  const more = issues.length > MAX_REPORTED_ISSUES ? `; and ${issues.length - MAX_REPORTED_ISSUES} more` : '';
  return described.join('; ') + more;
}

function failure(name: string, message: string): { ok: false; error: IpcError } {
  return { ok: false, error: { name, message: truncate(message, MAX_ERROR_MESSAGE_LENGTH) } };
}

/**
 * Handles one invoke. `senderUrl` is the URL of the frame that sent it, or null when that is unknown
 * (frame gone, or not a top-level frame): such senders are never trusted.
 */
export async function dispatchInvoke<Contract extends InvokeContract>(
  contract: Contract,
  handlers: InvokeHandlers<Contract>,
  channel: string,
  senderUrl: string | null,
  payload: unknown,
  policy: SenderPolicy,
): Promise<IpcResult<unknown>> {
  // Sender first: an untrusted page learns nothing, not even which channels exist.
  if (senderUrl === null || !policy.isTrustedSender(senderUrl)) {
    return failure(IpcErrorNames.untrustedSender, `Refused "${truncate(String(channel), 100)}": sender is not the Polaris window`);
  }
  if (!isContractChannel(contract, channel)) {
    return failure(IpcErrorNames.unknownChannel, `Unknown IPC channel "${truncate(String(channel), 100)}"`);
  }
  const spec = contract[channel];
  const parsedRequest = spec.request.safeParse(payload);
  if (!parsedRequest.success) {
    return failure(
      IpcErrorNames.invalidPayload,
      `Invalid payload for ${channel}: ${describeValidationIssues(parsedRequest.error.issues)}`,
    );
  }

  let value: unknown;
  try {
    // Only the parsed copy reaches the handler: unknown keys (including "__proto__") never do.
    // The cast only restates what safeParse just checked; TypeScript cannot link the two generically.
    value = await handlers[channel](parsedRequest.data as z.output<Contract[typeof channel]['request']>);
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }

  // Parsing the answer strips fields the contract does not name, so internals cannot leak out.
  const parsedResponse = spec.response.safeParse(value);
  if (!parsedResponse.success) {
    return failure(
      IpcErrorNames.invalidResponse,
      `Handler for ${channel} returned a response that breaks the contract: ${describeValidationIssues(parsedResponse.error.issues)}`,
    );
  }
  return { ok: true, value: parsedResponse.data };
}

/**
 * Handles one fire-and-forget message. There is no one to answer, so the outcome is returned for the
 * transport to log; listeners' errors are caught the same way as handlers' errors.
 */
export async function dispatchSend<Contract extends MessageContract>(
  contract: Contract,
  listeners: SendListeners<Contract>,
  channel: string,
  senderUrl: string | null,
  payload: unknown,
  policy: SenderPolicy,
): Promise<IpcResult<undefined>> {
  if (senderUrl === null || !policy.isTrustedSender(senderUrl)) {
    return failure(IpcErrorNames.untrustedSender, `Refused "${truncate(String(channel), 100)}": sender is not the Polaris window`);
  }
  if (!isContractChannel(contract, channel)) {
    return failure(IpcErrorNames.unknownChannel, `Unknown IPC channel "${truncate(String(channel), 100)}"`);
  }
  const parsed = contract[channel].safeParse(payload);
  if (!parsed.success) {
    return failure(
      IpcErrorNames.invalidPayload,
      `Invalid payload for ${channel}: ${describeValidationIssues(parsed.error.issues)}`,
    );
  }
  try {
    await listeners[channel](parsed.data as z.output<Contract[typeof channel]>);
  } catch (thrown) {
    return { ok: false, error: toIpcError(thrown) };
  }
  return { ok: true, value: undefined };
}

/**
 * Validates an outgoing event against the contract before it is sent, so a main-process bug shows up
 * here with a clear message instead of as a malformed object in the UI.
 */
export function parseEventPayload<Contract extends MessageContract, E extends keyof Contract & string>(
  contract: Contract,
  event: E,
  payload: unknown,
): z.output<Contract[E]> {
  if (!isContractChannel(contract, event)) {
    throw new IpcDispatchError(IpcErrorNames.unknownChannel, `Unknown IPC event "${event}"`);
  }
  const parsed = contract[event].safeParse(payload);
  if (!parsed.success) {
    throw new IpcDispatchError(
      IpcErrorNames.invalidPayload,
      `Invalid payload for event ${event}: ${describeValidationIssues(parsed.error.issues)}`,
    );
  }
  return parsed.data as z.output<Contract[E]>;
}
