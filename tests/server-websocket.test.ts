/**
 * `polaris serve`: the IPC contract over a WebSocket on 127.0.0.1 with a per-start token, and the
 * built renderer over HTTP. The client is the same createWebSocketApi the renderer uses in a browser.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../src/main/server/index';
import { resolveStaticPath } from '../src/main/server/static-files';
import { AppServices } from '../src/main/services/app-services';
import { CONTENT_SECURITY_POLICY } from '../src/main/ipc/security-policy';
import { IpcErrorNames, type RunStatusEvent } from '../src/shared/ipc';
import { createWebSocketApi, tokenProtocol, WS_PROTOCOL, type WebSocketApi } from '../src/shared/ws-transport';
import { FakeJobs, settle } from './helpers/fake-training';
import { makeTempDir } from './helpers/temp-dir';

const temp = makeTempDir('server');
const jobs = new FakeJobs();
const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
let services: AppServices;
let server: RunningServer;
const clients: WebSocketApi[] = [];

function connect(token: string = server.token, url: string = server.wsUrl): WebSocketApi {
  const api = createWebSocketApi({ url, token, connect: (address, protocols) => new WebSocket(address, protocols) });
  clients.push(api);
  return api;
}

/** The HTTP status a raw upgrade attempt gets (101 when it is accepted). */
function upgradeStatus(headers: Record<string, string>, protocols: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl, protocols, { headers });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

function httpGet(urlPath: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(urlPath, server.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: url.hostname, port: url.port, path: urlPath, method: options.method ?? 'GET', headers: options.host === undefined ? {} : { Host: options.host } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

beforeAll(async () => {
  const staticDir = path.join(temp.dir, 'renderer');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Polaris</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(temp.dir, 'secret.txt'), 'not for browsers');
  services = new AppServices({ dataDir: path.join(temp.dir, 'data'), appVersion: '7.7.7', runner: jobs.runner, log });
  server = await startServer({ services, appVersion: '7.7.7', staticDir, getBackend: () => 'wasm', log });
});

afterAll(async () => {
  for (const client of clients) client.close();
  await server.close();
  await services.close();
  temp.cleanup();
});

describe('polaris serve: WebSocket', () => {
  it('listens on 127.0.0.1 only, with a long random token that changes every start', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.wsUrl).toBe(`${server.url.replace('http', 'ws')}ws`);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.appUrl).toBe(`${server.url}#token=${server.token}`);
    const other = await startServer({ services, appVersion: '7.7.7', log });
    try {
      expect(other.token).not.toBe(server.token);
    } finally {
      await other.close();
    }
  });

  it('serves the contract: answers, validation errors and service errors as { name, message }', async () => {
    const api = connect();
    await api.ready;
    expect(await api.invoke('app:info')).toEqual({ ok: true, value: { version: '7.7.7', backend: 'wasm', platform: process.platform } });
    expect(await api.invoke('runs:list')).toEqual({ ok: true, value: [] });
    const invalid = await api.invoke('runs:get', { runId: '../../etc/passwd' });
    expect(invalid).toMatchObject({ ok: false, error: { name: IpcErrorNames.invalidPayload, message: expect.stringMatching(/runId/) } });
    const missing = await api.invoke('runs:get', { runId: 'run-missing' });
    expect(missing).toEqual({ ok: false, error: { name: 'NotFoundError', message: 'No run run-missing' } });
    // A channel outside the contract never leaves the client, and the server refuses it too.
    const unknown = await (api.invoke as (channel: string) => Promise<unknown>)('shell:exec');
    expect(unknown).toMatchObject({ ok: false, error: { name: IpcErrorNames.unknownChannel } });
  });

  it('refuses connections without the token, with a wrong one, from another origin or host name', async () => {
    expect(await upgradeStatus({}, [WS_PROTOCOL, tokenProtocol(server.token)])).toBe(101);
    expect(await upgradeStatus({}, [WS_PROTOCOL])).toBe(401);
    expect(await upgradeStatus({}, [WS_PROTOCOL, tokenProtocol('0'.repeat(64))])).toBe(401);
    expect(await upgradeStatus({}, [WS_PROTOCOL, tokenProtocol(server.token.slice(1))])).toBe(401);
    expect(await upgradeStatus({}, [tokenProtocol(server.token)])).toBe(400);
    expect(await upgradeStatus({ Origin: 'https://evil.example' }, [WS_PROTOCOL, tokenProtocol(server.token)])).toBe(403);
    expect(await upgradeStatus({ Origin: server.url.slice(0, -1) }, [WS_PROTOCOL, tokenProtocol(server.token)])).toBe(101);
    expect(await upgradeStatus({ Host: `rebound.example:${new URL(server.url).port}` }, [WS_PROTOCOL, tokenProtocol(server.token)])).toBe(403);

    const wrong = connect('f'.repeat(64));
    await expect(wrong.ready).rejects.toThrow(/closed/);
    expect(await wrong.invoke('app:info')).toMatchObject({ ok: false, error: { name: 'TransportError' } });
  });

  it('pushes run events to connected clients, validated on both ends', async () => {
    const api = connect();
    await api.ready;
    const statuses: RunStatusEvent[] = [];
    const progress: number[] = [];
    api.on('runs:status', (event) => statuses.push(event));
    api.on('runs:progress', (event) => progress.push(event.step));
    const started = await api.invoke('runs:start', { dataset: { kind: 'folder', path: path.join(temp.dir, 'images') }, config: { epochs: 1 } });
    if (!started.ok) throw new Error(started.error.message);
    const job = jobs.last;
    job.begin();
    for (let step = 1; step <= 50; step++) job.batch(step); // a burst: the throttle lets the first through
    job.epoch();
    job.finishDone();
    await vi.waitFor(() => expect(statuses.at(-1)).toMatchObject({ runId: started.value.runId, status: 'done' }));
    expect(statuses.map((event) => event.status)).toEqual(['queued', 'running', 'running', 'done']);
    expect(progress[0]).toBe(1);
    expect(progress.at(-1)).toBe(50); // flushed before the epoch event
    expect(progress.length).toBeLessThanOrEqual(2);
    const items = await api.invoke('runs:items', { runId: started.value.runId, limit: 2 });
    expect(items).toMatchObject({ ok: true, value: { total: 6, items: [{ rank: 1 }, { rank: 2 }] } });
  });

  it('forwards fire-and-forget messages and closes on malformed envelopes', async () => {
    const api = connect();
    await api.ready;
    api.send('log:renderer', { level: 'warn', message: 'from the browser' });
    await vi.waitFor(() => expect(log.warn).toHaveBeenCalledWith('[renderer] from the browser'));

    const raw = new WebSocket(server.wsUrl, [WS_PROTOCOL, tokenProtocol(server.token)]);
    await new Promise((resolve) => raw.once('open', resolve));
    const closed = new Promise<number>((resolve) => raw.once('close', (code) => resolve(code)));
    raw.send(JSON.stringify({ kind: 'invoke', id: -1, channel: 'app:info' }));
    expect(await closed).toBe(1008);
    await settle();
  });
});

describe('polaris serve: static files', () => {
  it('serves the renderer with the same Content-Security-Policy as the desktop window', async () => {
    const index = await httpGet('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Polaris</title>');
    expect(index.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect(index.headers['content-type']).toMatch(/text\/html/);
    const script = await httpGet('/assets/app.js');
    expect(script).toMatchObject({ status: 200, body: 'console.log(1)' });
    expect(script.headers['content-type']).toMatch(/javascript/);
  });

  it('never leaves the renderer folder, and checks method and host', async () => {
    expect((await httpGet('/../secret.txt')).status).toBe(404);
    expect((await httpGet('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await httpGet('/.hidden')).status).toBe(404);
    expect((await httpGet('/', { method: 'POST' })).status).toBe(405);
    expect((await httpGet('/', { host: 'rebound.example' })).status).toBe(403);
    expect(resolveStaticPath('/srv/ui', '/%2e%2e%2fetc/passwd')).toBeNull();
    expect(resolveStaticPath('/srv/ui', '/assets/a.js')).toBe('/srv/ui/assets/a.js');
  });
});
