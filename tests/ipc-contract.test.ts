import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { dispatchInvoke, dispatchSend, parseEventPayload, toIpcError, type InvokeHandlers } from '../src/main/ipc/dispatch';
import { createInvokeHandlers, createSendListeners } from '../src/main/ipc/handlers';
import {
  CONTENT_SECURITY_POLICY,
  createTrustedSenderCheck,
  DEV_CONTENT_SECURITY_POLICY,
  isSafeExternalUrl,
} from '../src/main/ipc/security-policy';
import { AppServices } from '../src/main/services/app-services';
import type { PolarisApi } from '../src/shared/api';
import {
  eventContract,
  invokeContract,
  IpcErrorNames,
  sendContract,
  type InvokeArgs,
  type InvokeResponse,
  type IpcResult,
} from '../src/shared/ipc';
import { makeTempDir } from './helpers/temp-dir';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_URL = 'file:///opt/polaris/out/renderer/index.html';
const policy = { isTrustedSender: createTrustedSenderCheck(APP_URL) };

/** A small contract of its own, so dispatch behaviour is tested independently of the app's channels. */
const testContract = {
  'echo:path': {
    request: z.strictObject({ path: z.string().min(1).max(64), depth: z.int().min(0).optional() }),
    response: z.object({ path: z.string() }),
  },
  'echo:none': { request: z.undefined(), response: z.literal('pong') },
  'fail:always': { request: z.undefined(), response: z.undefined() },
  'leak:internals': { request: z.undefined(), response: z.object({ visible: z.string() }) },
} as const;

function makeHandlers(): InvokeHandlers<typeof testContract> {
  return {
    'echo:path': vi.fn(async ({ path: value }) => ({ path: value })),
    'echo:none': async () => 'pong' as const,
    'fail:always': async () => {
      const error = new RangeError('dataset folder /data/x is empty');
      error.stack = 'RangeError: dataset folder /data/x is empty\n    at secret (/home/dev/src/main/services/run.ts:10:5)';
      throw error;
    },
    'leak:internals': async () => ({ visible: 'yes', secretToken: 'do-not-send' }) as { visible: string },
  };
}

async function invokeAsApp(channel: string, payload: unknown, handlers = makeHandlers()): Promise<IpcResult<unknown>> {
  return dispatchInvoke(testContract, handlers, channel, APP_URL, payload, policy);
}

function expectFailure(result: IpcResult<unknown>, name: string): string {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.error.name).toBe(name);
  expect(Object.keys(result.error).sort()).toEqual(['message', 'name']);
  return result.error.message;
}

describe('dispatchInvoke', () => {
  it('calls the handler with the validated payload and returns its answer', async () => {
    const handlers = makeHandlers();
    const result = await invokeAsApp('echo:path', { path: '/data/cells' }, handlers);
    expect(result).toEqual({ ok: true, value: { path: '/data/cells' } });
    expect(handlers['echo:path']).toHaveBeenCalledWith({ path: '/data/cells' });
    expect(await invokeAsApp('echo:none', undefined)).toEqual({ ok: true, value: 'pong' });
  });

  it('rejects channels that are not in the contract, including Object.prototype names', async () => {
    for (const channel of ['nope:nothing', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '']) {
      const message = expectFailure(await invokeAsApp(channel, undefined), IpcErrorNames.unknownChannel);
      expect(message).toContain('Unknown IPC channel');
    }
  });

  it('rejects senders that are not the app window before looking at anything else', async () => {
    const handlers = makeHandlers();
    for (const senderUrl of ['https://evil.example/index.html', 'file:///tmp/other.html', 'about:blank', 'not a url', null]) {
      const result = await dispatchInvoke(testContract, handlers, 'echo:path', senderUrl, { path: 'x' }, policy);
      expectFailure(result, IpcErrorNames.untrustedSender);
    }
    // Even an unknown channel from an untrusted sender only says "untrusted": no channel probing.
    const probe = await dispatchInvoke(testContract, handlers, 'nope', 'https://evil.example/', undefined, policy);
    expectFailure(probe, IpcErrorNames.untrustedSender);
    expect(handlers['echo:path']).not.toHaveBeenCalled();
  });

  it('rejects malformed payloads with a message that names the field', async () => {
    const handlers = makeHandlers();
    const wrongType = expectFailure(await invokeAsApp('echo:path', { path: 42 }, handlers), IpcErrorNames.invalidPayload);
    expect(wrongType).toMatch(/echo:path/);
    expect(wrongType).toMatch(/path: .*expected string/);

    const nested = expectFailure(await invokeAsApp('echo:path', { path: 'ok', depth: 1.5 }, handlers), IpcErrorNames.invalidPayload);
    expect(nested).toMatch(/depth: /);

    const missing = expectFailure(await invokeAsApp('echo:path', {}, handlers), IpcErrorNames.invalidPayload);
    expect(missing).toMatch(/path: /);

    for (const wrongShape of [null, 'a string', 7, [], [{ path: 'x' }], true]) {
      expectFailure(await invokeAsApp('echo:path', wrongShape, handlers), IpcErrorNames.invalidPayload);
    }
    // A channel without payload accepts only "nothing".
    expectFailure(await invokeAsApp('echo:none', { extra: 1 }, handlers), IpcErrorNames.invalidPayload);
    expect(handlers['echo:path']).not.toHaveBeenCalled();
  });

  it('rejects hostile payloads without polluting prototypes or echoing them back', async () => {
    const handlers = makeHandlers();
    // JSON.parse creates an own "__proto__" key, which is what arrives over a wire.
    const polluting = JSON.parse('{"path":"/data","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown;
    const message = expectFailure(await invokeAsApp('echo:path', polluting, handlers), IpcErrorNames.invalidPayload);
    expect(message).toContain('__proto__');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');

    const huge = 'x'.repeat(5_000_000);
    const tooLong = expectFailure(await invokeAsApp('echo:path', { path: huge }, handlers), IpcErrorNames.invalidPayload);
    expect(tooLong.length).toBeLessThan(3000);
    expect(tooLong).toMatch(/path: /);

    const hugeKey = { path: 'ok', [huge]: 1 };
    const keyMessage = expectFailure(await invokeAsApp('echo:path', hugeKey, handlers), IpcErrorNames.invalidPayload);
    expect(keyMessage.length).toBeLessThan(3000);

    const manyKeys = Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`k${index}`, index]));
    expectFailure(await invokeAsApp('echo:path', { path: 'ok', ...manyKeys }, handlers), IpcErrorNames.invalidPayload);

    expect(handlers['echo:path']).not.toHaveBeenCalled();
  });

  it('turns a handler exception into { name, message } without the stack', async () => {
    const result = await invokeAsApp('fail:always', undefined);
    const message = expectFailure(result, 'RangeError');
    expect(message).toBe('dataset folder /data/x is empty');
    expect(JSON.stringify(result)).not.toContain('run.ts');
  });

  it('strips response fields the contract does not name and rejects answers that break it', async () => {
    expect(await invokeAsApp('leak:internals', undefined)).toEqual({ ok: true, value: { visible: 'yes' } });

    const broken = { ...makeHandlers(), 'echo:path': async () => ({ path: 7 }) as unknown as { path: string } };
    const message = expectFailure(await invokeAsApp('echo:path', { path: 'a' }, broken), IpcErrorNames.invalidResponse);
    expect(message).toMatch(/path: /);
  });
});

describe('toIpcError', () => {
  it('describes anything thrown and never throws itself', () => {
    expect(toIpcError(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(toIpcError('plain string')).toEqual({ name: 'Error', message: 'plain string' });
    expect(toIpcError(undefined)).toEqual({ name: 'Error', message: 'undefined' });
    const hostile = {
      toString() {
        throw new Error('gotcha');
      },
    };
    expect(toIpcError(hostile)).toEqual({ name: 'Error', message: 'An error occurred that could not be described' });
    expect(toIpcError(new Error('m'.repeat(100_000))).message.length).toBeLessThanOrEqual(2000);
  });
});

describe('dispatchSend and parseEventPayload', () => {
  it('validates fire-and-forget messages like invokes', async () => {
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const listeners = createSendListeners(log);
    const ok = await dispatchSend(sendContract, listeners, 'log:renderer', APP_URL, { level: 'warn', message: 'hi' }, policy);
    expect(ok).toEqual({ ok: true, value: undefined });
    expect(log.warn).toHaveBeenCalledWith('[renderer] hi');

    const bad = await dispatchSend(sendContract, listeners, 'log:renderer', APP_URL, { level: 'shout', message: 'hi' }, policy);
    expectFailure(bad, IpcErrorNames.invalidPayload);
    const untrusted = await dispatchSend(sendContract, listeners, 'log:renderer', null, { level: 'info', message: 'x' }, policy);
    expectFailure(untrusted, IpcErrorNames.untrustedSender);
    expect(log.info).not.toHaveBeenCalled();
  });

  it('checks outgoing events against the contract', () => {
    const progress = { runId: 'run-1', epoch: 2, step: 10, losses: { total: 0.5 }, imagesPerSecond: 120, etaSeconds: 30 };
    expect(parseEventPayload(eventContract, 'runs:progress', progress)).toEqual(progress);
    expect(() => parseEventPayload(eventContract, 'runs:progress', { ...progress, epoch: -1 })).toThrow(/epoch/);
  });
});

describe('the app contract and handlers', () => {
  const trustedSender = 'file:///opt/polaris/out/renderer/index.html#/home';
  const temp = makeTempDir('contract');
  // Real services over an empty data folder; nothing here starts a training job.
  const services = new AppServices({
    dataDir: temp.dir,
    appVersion: '9.9.9',
    autoStart: false,
    runner: () => {
      throw new Error('no training in the contract tests');
    },
  });
  afterAll(async () => {
    await services.close();
    temp.cleanup();
  });
  const handlers = createInvokeHandlers({ getVersion: () => '9.9.9', getBackend: () => 'wasm', platform: 'linux', services });

  it('answers app:info for real', async () => {
    const result = await dispatchInvoke(invokeContract, handlers, 'app:info', trustedSender, undefined, policy);
    expect(result).toEqual({ ok: true, value: { version: '9.9.9', backend: 'wasm', platform: 'linux' } });
  });

  it('answers from the services, and reports their errors through the envelope', async () => {
    expect(await dispatchInvoke(invokeContract, handlers, 'runs:list', trustedSender, undefined, policy)).toEqual({ ok: true, value: [] });
    const missingRun = await dispatchInvoke(invokeContract, handlers, 'runs:get', trustedSender, { runId: 'run-nope' }, policy);
    expect(expectFailure(missingRun, 'NotFoundError')).toBe('No run run-nope');
    const scan = await dispatchInvoke(invokeContract, handlers, 'datasets:scan', trustedSender, { path: path.join(temp.dir, 'missing') }, policy);
    expect(expectFailure(scan, 'DatasetFileError')).toMatch(/dataset folder not found/);
  });

  it('validates the app payloads: paths, run ids and config overrides', async () => {
    const invoke = (channel: string, payload: unknown) =>
      dispatchInvoke(invokeContract, handlers, channel, trustedSender, payload, policy);
    expect(expectFailure(await invoke('datasets:scan', { path: '' }), IpcErrorNames.invalidPayload)).toMatch(/path: /);
    expect(expectFailure(await invoke('datasets:scan', { path: 'a\0b' }), IpcErrorNames.invalidPayload)).toMatch(/NUL/);
    expect(expectFailure(await invoke('runs:cancel', { runId: '../../etc' }), IpcErrorNames.invalidPayload)).toMatch(/runId: /);
    const badConfig = await invoke('runs:start', { dataset: { kind: 'folder', path: '/d' }, config: { epochs: 0, shell: 'rm -rf' } });
    const message = expectFailure(badConfig, IpcErrorNames.invalidPayload);
    expect(message).toMatch(/config\.epochs/);
    expect(message).toMatch(/shell/);
  });

  it('derives the renderer-facing types from the schemas', () => {
    expectTypeOf<InvokeArgs<'app:info'>>().toEqualTypeOf<[]>();
    expectTypeOf<InvokeArgs<'runs:cancel'>>().toEqualTypeOf<[payload: { runId: string }]>();
    expectTypeOf<InvokeResponse<'runs:start'>>().toEqualTypeOf<{ runId: string }>();
    expectTypeOf<ReturnType<PolarisApi['on']>>().toEqualTypeOf<() => void>();
  });
});

describe('security policy', () => {
  it('trusts only the built index.html (file:) or the dev server origin', () => {
    expect(policy.isTrustedSender(APP_URL)).toBe(true);
    expect(policy.isTrustedSender(`${APP_URL}?x=1#/runs`)).toBe(true);
    expect(policy.isTrustedSender('file:///opt/polaris/out/renderer/other.html')).toBe(false);
    expect(policy.isTrustedSender('file://evil-host/opt/polaris/out/renderer/index.html')).toBe(false);
    expect(policy.isTrustedSender('http://localhost:5173/')).toBe(false);

    const dev = createTrustedSenderCheck('http://localhost:5173');
    expect(dev('http://localhost:5173/src/main.tsx')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev('https://localhost:5173/')).toBe(false);
    expect(dev('http://localhost.evil.example:5173/')).toBe(false);
    expect(() => createTrustedSenderCheck('javascript:alert(1)')).toThrow();
  });

  it('opens only plain http(s) links externally', () => {
    expect(isSafeExternalUrl('https://github.com/polaris')).toBe(true);
    expect(isSafeExternalUrl('http://example.org/paper.pdf')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-settings:', 'https://user:pw@host/', 'not a url']) {
      expect(isSafeExternalUrl(url)).toBe(false);
    }
  });

  it('keeps the CSP in index.html equal to the one main sends as a header', () => {
    const html = readFileSync(path.join(ROOT, 'src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta?.[1]).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(DEV_CONTENT_SECURITY_POLICY).toContain("script-src 'self' 'unsafe-inline'");
  });

  it('keeps ipcMain and ipcRenderer inside their two wrapper files', () => {
    const sourceFiles = (function walk(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        return entry.isDirectory() ? walk(full) : /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
      });
    })(path.join(ROOT, 'src'));
    const users = sourceFiles
      .filter((file) => /\bipc(Main|Renderer)\b/.test(readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')))
      .map((file) => path.relative(ROOT, file).split(path.sep).join('/'))
      .sort();
    expect(users).toEqual(['src/main/ipc/ipc-main.ts', 'src/preload/index.ts']);
  });
});
