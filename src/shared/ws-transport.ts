/**
 * The IPC contract over a WebSocket (`polaris serve`): the wire envelope, both sides' schemas, and a
 * client that implements PolarisApi on top of any WebSocket-like object, so the renderer runs in a
 * plain browser against a workstation's services exactly as it runs in the Electron window.
 *
 * Authentication: the server's per-start random token travels as a WebSocket subprotocol
 * ("polaris.token.<hex>", next to the protocol version "polaris.v1"), which keeps it out of URLs,
 * and the server accepts connections on 127.0.0.1 only.
 */
import { z } from 'zod';
import type { PolarisApi } from './api';
import {
  eventContract,
  invokeContract,
  IpcErrorNames,
  IpcErrorSchema,
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
} from './ipc';

export const WS_PATH = '/ws';
export const WS_PROTOCOL = 'polaris.v1';
export const WS_TOKEN_PROTOCOL_PREFIX = 'polaris.token.';
/** Upper bound for one message either way; pages of results stay far below it. */
export const WS_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const ChannelNameSchema = z.string().min(1).max(200);

// payload is optional on the wire: JSON has no undefined, so channels without a payload omit the key.
export const ClientMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('invoke'), id: z.int().nonnegative(), channel: ChannelNameSchema, payload: z.unknown().optional() }),
  z.strictObject({ kind: z.literal('send'), channel: ChannelNameSchema, payload: z.unknown().optional() }),
]);
export type ClientMessage = z.output<typeof ClientMessageSchema>;

const IpcResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown().optional() }),
  z.object({ ok: z.literal(false), error: IpcErrorSchema }),
]);

export const ServerMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('result'), id: z.int().nonnegative(), result: IpcResultSchema }),
  z.object({ kind: z.literal('event'), channel: ChannelNameSchema, payload: z.unknown().optional() }),
]);
export type ServerMessage = z.output<typeof ServerMessageSchema>;

export function tokenProtocol(token: string): string {
  return `${WS_TOKEN_PROTOCOL_PREFIX}${token}`;
}

/** The part of the browser's WebSocket (and of the `ws` package's) that the client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: () => void): void;
  addEventListener(type: 'error', listener: () => void): void;
}

const OPEN = 1;

export interface WebSocketApiOptions {
  /** ws://127.0.0.1:PORT/ws */
  url: string;
  token: string;
  connect: (url: string, protocols: string[]) => WebSocketLike;
  /** Events or answers that break the contract are dropped and reported here. */
  onProtocolError?: (message: string) => void;
}

export interface WebSocketApi extends PolarisApi {
  /** Resolves when the connection is open; rejects if it closes first. */
  readonly ready: Promise<void>;
  close(): void;
}

function transportFailure(message: string): IpcResult<never> {
  return { ok: false, error: { name: 'TransportError', message } };
}

export function createWebSocketApi(options: WebSocketApiOptions): WebSocketApi {
  const socket = options.connect(options.url, [WS_PROTOCOL, tokenProtocol(options.token)]);
  const reportProtocolError = options.onProtocolError ?? (() => undefined);
  const pending = new Map<number, (result: IpcResult<unknown>) => void>();
  const outbox: string[] = [];
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  let nextId = 0;
  let closed = false;

  let markReady: () => void = () => undefined;
  let markFailed: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    markFailed = reject;
  });
  // Nobody may be waiting on `ready`; an unobserved rejection must not surface as an error of its own.
  ready.catch(() => undefined);

  const transmit = (message: ClientMessage): void => {
    const text = JSON.stringify(message);
    if (socket.readyState === OPEN) socket.send(text);
    else outbox.push(text);
  };

  socket.addEventListener('open', () => {
    for (const text of outbox.splice(0)) socket.send(text);
    markReady();
  });
  socket.addEventListener('close', () => {
    closed = true;
    markFailed(new Error('The connection to the Polaris server closed'));
    for (const resolve of pending.values()) resolve(transportFailure('The connection to the Polaris server closed'));
    pending.clear();
  });
  socket.addEventListener('error', () => undefined); // 'close' follows and does the cleanup
  socket.addEventListener('message', (event) => {
    if (typeof event.data !== 'string') {
      reportProtocolError('Ignored a binary message');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(event.data);
    } catch {
      reportProtocolError('Ignored a message that is not JSON');
      return;
    }
    const parsed = ServerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      reportProtocolError(`Ignored a malformed message: ${parsed.error.issues[0]?.message ?? 'unknown problem'}`);
      return;
    }
    const message = parsed.data;
    if (message.kind === 'result') {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      const { result } = message;
      resolve?.(result.ok ? { ok: true, value: result.value } : result);
      return;
    }
    if (!isContractChannel(eventContract, message.channel)) {
      reportProtocolError(`Ignored unknown event "${message.channel}"`);
      return;
    }
    const payload = eventContract[message.channel].safeParse(message.payload);
    if (!payload.success) {
      reportProtocolError(`Ignored an invalid ${message.channel} event`);
      return;
    }
    for (const listener of listeners.get(message.channel) ?? []) listener(payload.data);
  });

  async function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeArgs<C>): Promise<IpcResult<InvokeResponse<C>>> {
    if (!isContractChannel(invokeContract, channel)) {
      return { ok: false, error: { name: IpcErrorNames.unknownChannel, message: `Unknown IPC channel "${String(channel).slice(0, 100)}"` } };
    }
    if (closed) return transportFailure('Not connected to the Polaris server');
    const id = nextId++;
    const answer = new Promise<IpcResult<unknown>>((resolve) => pending.set(id, resolve));
    transmit({ kind: 'invoke', id, channel, payload: args[0] });
    const result = await answer;
    if (!result.ok) return result;
    // The server validated the value against the response schema; validate again what crossed the wire.
    const value = invokeContract[channel].response.safeParse(result.value);
    if (!value.success) return { ok: false, error: { name: IpcErrorNames.invalidResponse, message: `Answer on ${channel} breaks the contract` } };
    return { ok: true, value: value.data as InvokeResponse<C> };
  }

  function send<C extends SendChannel>(channel: C, payload: SendChannels[C]): void {
    if (!isContractChannel(sendContract, channel) || closed) return;
    transmit({ kind: 'send', channel, payload });
  }

  function on<E extends EventChannel>(event: E, listener: (payload: EventChannels[E]) => void): () => void {
    if (!isContractChannel(eventContract, event)) return () => undefined;
    const forward = (payload: unknown): void => listener(payload as EventChannels[E]);
    const set = listeners.get(event) ?? new Set();
    set.add(forward);
    listeners.set(event, set);
    return () => {
      set.delete(forward);
    };
  }

  return {
    invoke,
    send,
    on,
    ready,
    close: () => socket.close(1000, 'client closed'),
  };
}
