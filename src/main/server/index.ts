/**
 * `polaris serve`: the app's IPC contract over a WebSocket on 127.0.0.1, plus the built renderer over
 * HTTP, so the UI runs in a browser against this machine's services (and is tested in Chromium).
 *
 * Trust: bound to the loopback address only; a random token per start, presented as a WebSocket
 * subprotocol and compared in constant time; Host checked against DNS rebinding; a browser's Origin
 * must be this server's own. Every message then goes through the same dispatch as Electron's IPC:
 * channel checked, payload validated with zod, errors returned as { name, message }.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { eventContract, invokeContract, isContractChannel, sendContract } from '../../shared/ipc';
import {
  ClientMessageSchema,
  type ServerMessage,
  WS_MAX_MESSAGE_BYTES,
  WS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PROTOCOL_PREFIX,
} from '../../shared/ws-transport';
import { dispatchInvoke, dispatchSend, parseEventPayload, type SenderPolicy } from '../ipc/dispatch';
import { createInvokeHandlers, createSendListeners, detectInstalledBackend, type HandlerServices } from '../ipc/handlers';
import { CONTENT_SECURITY_POLICY } from '../ipc/security-policy';
import { AppServices } from '../services/app-services';
import type { EventHub } from '../services/events';
import { serveStaticFile } from './static-files';

/** The only address the server listens on. */
export const SERVER_HOST = '127.0.0.1';

/** Progress events are skipped for a client this far behind; its next update replaces them anyway. */
const MAX_BUFFERED_BYTES_FOR_PROGRESS = 1024 * 1024;

export interface ServerOptions {
  services: HandlerServices & { readonly events: EventHub };
  appVersion: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** The built renderer (out/renderer) to serve to browsers; null serves the WebSocket only. */
  staticDir?: string | null;
  /** Tests may fix the token; by default 32 random bytes per start. */
  token?: string;
  getBackend?: () => string;
  log?: Pick<Console, 'info' | 'warn' | 'error'>;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** ws://127.0.0.1:PORT/ws */
  wsUrl: string;
  token: string;
  /** The page to open in a browser: the token travels in the #fragment, which browsers never send. */
  appUrl: string;
  close(): Promise<void>;
}

/** Only messages from connections that presented the token get this sender identity. */
const AUTHENTICATED_SENDER = 'polaris-serve:authenticated';
const websocketPolicy: SenderPolicy = { isTrustedSender: (sender) => sender === AUTHENTICATED_SENDER };

function tokensEqual(expected: string, presented: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function offeredProtocols(request: IncomingMessage): string[] {
  const header = request.headers['sec-websocket-protocol'];
  return (typeof header === 'string' ? header : '').split(',').map((part) => part.trim()).filter((part) => part.length > 0);
}

function refuseUpgrade(socket: Duplex, status: 400 | 401 | 403 | 404, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(32).toString('hex');
  const log = options.log ?? console;
  const handlers = createInvokeHandlers({
    getVersion: () => options.appVersion,
    getBackend: options.getBackend ?? (() => detectInstalledBackend()),
    platform: process.platform,
    services: options.services,
  });
  const listeners = createSendListeners(log);
  let port = 0;

  /** Host must name this server: a DNS-rebound name pointing at 127.0.0.1 is refused. */
  const hostAllowed = (request: IncomingMessage): boolean => {
    const host = request.headers.host;
    return host === `${SERVER_HOST}:${port}` || host === `localhost:${port}`;
  };
  /** Browsers always send Origin; it must be this server's page. Non-browser clients send none. */
  const originAllowed = (request: IncomingMessage): boolean => {
    const origin = request.headers.origin;
    return origin === undefined || origin === `http://${SERVER_HOST}:${port}` || origin === `http://localhost:${port}`;
  };

  const httpServer = createServer((request, response) => {
    response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Cache-Control', 'no-store');
    if (!hostAllowed(request)) {
      response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Forbidden host');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const staticDir = options.staticDir ?? null;
    if (staticDir === null) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('This Polaris server has no UI files; connect to the WebSocket at /ws');
      return;
    }
    const urlPath = new URL(request.url ?? '/', `http://${SERVER_HOST}`).pathname;
    serveStaticFile(staticDir, urlPath, response, request.method === 'HEAD').catch((error: unknown) => {
      log.error('[serve] static file failed:', error);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });

  const websocketServer = new WebSocketServer({
    noServer: true,
    maxPayload: WS_MAX_MESSAGE_BYTES,
    // Answer with the protocol version only, never echo the token back.
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });
  const clients = new Set<WebSocket>();

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', `http://${SERVER_HOST}`).pathname;
    if (path !== WS_PATH) return refuseUpgrade(socket, 404, 'Not found');
    if (!hostAllowed(request) || !originAllowed(request)) return refuseUpgrade(socket, 403, 'Forbidden');
    const protocols = offeredProtocols(request);
    if (!protocols.includes(WS_PROTOCOL)) return refuseUpgrade(socket, 400, `Expected subprotocol ${WS_PROTOCOL}`);
    const presented = protocols.find((protocol) => protocol.startsWith(WS_TOKEN_PROTOCOL_PREFIX))?.slice(WS_TOKEN_PROTOCOL_PREFIX.length);
    if (presented === undefined || !tokensEqual(token, presented)) return refuseUpgrade(socket, 401, 'Unauthorized');
    websocketServer.handleUpgrade(request, socket, head, (client) => acceptClient(client));
  });

  const sendTo = (client: WebSocket, message: ServerMessage): void => {
    if (client.readyState === client.OPEN) client.send(JSON.stringify(message));
  };

  function acceptClient(client: WebSocket): void {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('error', (error) => log.warn('[serve] client error:', error.message));
    client.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        client.close(1003, 'text messages only');
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(data.toString());
      } catch {
        client.close(1007, 'messages must be JSON');
        return;
      }
      const parsed = ClientMessageSchema.safeParse(raw);
      if (!parsed.success) {
        client.close(1008, 'malformed message');
        return;
      }
      const message = parsed.data;
      if (message.kind === 'invoke') {
        void dispatchInvoke(invokeContract, handlers, message.channel, AUTHENTICATED_SENDER, message.payload, websocketPolicy).then((result) =>
          sendTo(client, { kind: 'result', id: message.id, result }),
        );
      } else {
        void dispatchSend(sendContract, listeners, message.channel, AUTHENTICATED_SENDER, message.payload, websocketPolicy).then((result) => {
          if (!result.ok) log.warn(`[serve] ${message.channel}: ${result.error.name}: ${result.error.message}`);
        });
      }
    });
  }

  const unsubscribe = options.services.events.subscribe((event, payload) => {
    if (!isContractChannel(eventContract, event)) return;
    const validated = parseEventPayload(eventContract, event, payload);
    const text = JSON.stringify({ kind: 'event', channel: event, payload: validated } satisfies ServerMessage);
    for (const client of clients) {
      if (client.readyState !== client.OPEN) continue;
      if (event === 'runs:progress' && client.bufferedAmount > MAX_BUFFERED_BYTES_FOR_PROGRESS) continue;
      client.send(text);
    }
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, SERVER_HOST, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  port = (httpServer.address() as AddressInfo).port;
  const url = `http://${SERVER_HOST}:${port}/`;

  return {
    url,
    wsUrl: `ws://${SERVER_HOST}:${port}${WS_PATH}`,
    token,
    appUrl: `${url}#token=${token}`,
    close: async () => {
      unsubscribe();
      for (const client of clients) client.close(1001, 'server closing');
      await new Promise<void>((resolve) => websocketServer.close(() => resolve()));
      await new Promise<void>((resolve, reject) => {
        httpServer.close((error) => (error ? reject(error) : resolve()));
        httpServer.closeAllConnections();
      });
    },
  };
}

export interface ServeOptions {
  /** The app's data folder (database and runs); see ../services/data-dir.ts for the desktop app's. */
  dataDir: string;
  appVersion: string;
  port?: number;
  staticDir?: string | null;
  log?: Pick<Console, 'info' | 'warn' | 'error'>;
}

/**
 * What `polaris serve` runs: the services over `dataDir` (recovering abandoned runs, starting queued
 * ones) behind the WebSocket server. close() stops the server, then the running job (resumable), then
 * closes the database.
 */
export async function serveDataDir(options: ServeOptions): Promise<RunningServer & { services: AppServices }> {
  const services = new AppServices({ dataDir: options.dataDir, appVersion: options.appVersion, log: options.log });
  let server: RunningServer;
  try {
    server = await startServer({ services, appVersion: options.appVersion, port: options.port, staticDir: options.staticDir, log: options.log });
  } catch (error) {
    await services.close();
    throw error;
  }
  return {
    ...server,
    services,
    close: async () => {
      await server.close();
      await services.close();
    },
  };
}
