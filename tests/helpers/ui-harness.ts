/**
 * What every UI test needs: the renderer built once per content (cached under the OS temp dir and
 * shared by test files running in parallel), the real services in a temp data folder behind the real
 * `polaris serve` server on 127.0.0.1, and Debian's Chromium driven by playwright-core at 1280×800.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { startServer, type RunningServer } from '../../src/main/server/index';
import { AppServices } from '../../src/main/services/app-services';
import { makeTempDir } from './temp-dir';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.join(ROOT, 'docs', 'screenshots');
export const VIEWPORT = { width: 1280, height: 800 } as const;

/** Why the UI tests cannot run here, or null when they can. */
export function uiSkipReason(): string | null {
  return existsSync(CHROMIUM_PATH) ? null : `Chromium not found at ${CHROMIUM_PATH} (apt-get install chromium): UI tests skipped`;
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** A hash of everything the renderer bundle is made from, so a stale build is never reused. */
function rendererSourceHash(): string {
  const hash = createHash('sha256');
  const sources = [...filesUnder(path.join(ROOT, 'src', 'renderer')), ...filesUnder(path.join(ROOT, 'src', 'shared'))].sort();
  for (const file of [...sources, path.join(ROOT, 'package-lock.json')]) {
    hash.update(path.relative(ROOT, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The built renderer (what electron-vite builds into out/renderer), made with Vite directly with the
 * same root and plugins. Built once per source hash; parallel test files wait for whoever builds first.
 */
export async function buildRenderer(): Promise<string> {
  const cacheRoot = path.join(tmpdir(), 'polaris-ui-build');
  const target = path.join(cacheRoot, rendererSourceHash());
  if (existsSync(path.join(target, 'index.html'))) return target;
  mkdirSync(cacheRoot, { recursive: true });
  const staging = `${target}.building-${process.pid}`;
  await build({
    configFile: false,
    root: path.join(ROOT, 'src', 'renderer'),
    base: './',
    plugins: [react()],
    logLevel: 'error',
    build: { outDir: staging, emptyOutDir: true, reportCompressedSize: false, chunkSizeWarningLimit: 6000 },
  });
  try {
    renameSync(staging, target);
  } catch {
    // Another test file finished the same build first; its copy is identical.
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

export interface UiSession {
  services: AppServices;
  server: RunningServer;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  dataDir: string;
  /** Messages the page logged as errors, and uncaught page errors. */
  consoleErrors: string[];
  close(): Promise<void>;
}

const quietLog = { info: () => undefined, warn: () => undefined, error: (...parts: unknown[]) => console.error('[serve]', ...parts) };

export async function startUiSession(): Promise<UiSession> {
  const staticDir = await buildRenderer();
  const temp = makeTempDir('ui');
  const services = new AppServices({ dataDir: temp.dir, appVersion: '0.1.0-ui-test', log: quietLog });
  const server = await startServer({ services, appVersion: '0.1.0-ui-test', staticDir, log: quietLog });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, acceptDownloads: true, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(server.appUrl);
  return {
    services,
    server,
    browser,
    context,
    page,
    dataDir: temp.dir,
    consoleErrors,
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.close().catch(() => undefined);
      await services.close().catch(() => undefined);
      temp.cleanup();
    },
  };
}

/** Saves a screenshot for docs/screenshots (the viewport only, as a person sees the window). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

export function fileSize(file: string): number {
  return statSync(file).size;
}
