/**
 * The WebSocket contract from a real browser: headless Chromium loads a page served by `polaris serve`
 * (with the app's Content-Security-Policy), which connects with the shared client, authenticates with
 * the token from the URL fragment, calls channels and receives an event. Skipped, with the reason,
 * where no Chromium is installed.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { CONTENT_SECURITY_POLICY } from '../src/main/ipc/security-policy';
import { startServer } from '../src/main/server/index';
import { AppServices } from '../src/main/services/app-services';
import { makeTempDir } from './helpers/temp-dir';

function findChromium(): string | null {
  for (const candidate of [process.env['CHROMIUM_PATH'], 'chromium', 'chromium-browser', 'google-chrome']) {
    if (candidate === undefined || candidate === '') continue;
    try {
      execFileSync('which', [candidate], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not installed under this name
    }
  }
  return null;
}

const chromium = findChromium();
const PAGE_ENTRY = fileURLToPath(new URL('./fixtures/browser/ws-client-page.ts', import.meta.url));

/** Starts headless Chromium on `url` and returns the DevTools WebSocket URL of its page. */
async function launchChromium(binary: string, url: string, profileDir: string): Promise<{ process: ChildProcess; pageSocketUrl: string }> {
  const browser = spawn(binary, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profileDir}`, url], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<string>((resolve, reject) => {
    let seen = '';
    browser.stderr?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /DevTools listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(seen);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    browser.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${seen.slice(-2000)}`)));
  });
  const TargetsSchema = z.array(z.object({ type: z.string(), url: z.string(), webSocketDebuggerUrl: z.string().optional() }));
  for (let attempt = 0; attempt < 100; attempt++) {
    const targets = TargetsSchema.parse(await (await fetch(`http://127.0.0.1:${port}/json/list`)).json());
    const page = targets.find((target) => target.type === 'page' && target.url.startsWith(url.split('#')[0] ?? url));
    if (page?.webSocketDebuggerUrl !== undefined) return { process: browser, pageSocketUrl: page.webSocketDebuggerUrl };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('Chromium never showed the page');
}

/** Evaluates an expression in the page through the DevTools protocol. */
async function evaluate(pageSocketUrl: string, expression: string): Promise<unknown> {
  const socket = new WebSocket(pageSocketUrl);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  try {
    const answer = new Promise<unknown>((resolve) =>
      socket.once('message', (data: Buffer) => resolve(z.object({ result: z.object({ result: z.object({ value: z.unknown().optional() }) }) }).parse(JSON.parse(data.toString())).result.result.value)),
    );
    socket.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }));
    return await answer;
  } finally {
    socket.close();
  }
}

describe('polaris serve in Chromium', () => {
  if (chromium === null) {
    it.skip('Chromium is not installed here (apt-get install chromium, or set CHROMIUM_PATH): browser test skipped', () => undefined);
    return;
  }
  const temp = makeTempDir('chromium');
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    temp.cleanup();
  });

  it('connects with the token from the URL fragment and speaks the contract under the app CSP', async () => {
    const staticDir = path.join(temp.dir, 'page');
    mkdirSync(staticDir, { recursive: true });
    await build({ entryPoints: [PAGE_ENTRY], bundle: true, format: 'esm', outfile: path.join(staticDir, 'page.js'), logLevel: 'silent' });
    writeFileSync(
      path.join(staticDir, 'index.html'),
      `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}"><title>t</title></head><body><script type="module" src="./page.js"></script></body></html>`,
    );

    const services = new AppServices({ dataDir: path.join(temp.dir, 'data'), appVersion: '3.1.4', autoStart: false });
    cleanups.push(() => services.close());
    const log = {
      info: (message: string) => {
        // The page's "browser-ready" log line: answer with an event, as training would.
        if (message.includes('browser-ready')) services.events.emit('runs:status', { runId: 'run-demo', status: 'queued', message: 'from the server' });
      },
      warn: () => undefined,
      error: () => undefined,
    };
    const server = await startServer({ services, appVersion: '3.1.4', staticDir, getBackend: () => 'wasm', log });
    cleanups.push(() => server.close());

    const browser = await launchChromium(chromium, server.appUrl, path.join(temp.dir, 'profile'));
    const browserExited = new Promise((resolve) => browser.process.once('exit', resolve));
    cleanups.push(async () => {
      browser.process.kill('SIGKILL');
      await browserExited; // before its profile folder is removed
    });
    let result: unknown;
    for (let attempt = 0; attempt < 200 && result === undefined; attempt++) {
      result = await evaluate(browser.pageSocketUrl, 'document.body.dataset.result');
      if (result === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(typeof result).toBe('string');
    expect(JSON.parse(String(result))).toEqual({
      wrongToken: 'refused',
      info: { ok: true, value: { version: '3.1.4', backend: 'wasm', platform: process.platform } },
      runs: { ok: true, value: [] },
      invalid: { ok: false, error: { name: 'InvalidPayloadError', message: expect.stringMatching(/runId/) } },
      missing: { ok: false, error: { name: 'NotFoundError', message: 'No run run-none' } },
      statuses: [{ runId: 'run-demo', status: 'queued', message: 'from the server' }],
    });
  }, 60_000);
});
