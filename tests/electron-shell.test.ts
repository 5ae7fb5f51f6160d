/**
 * Launches the built desktop app with Playwright's Electron driver and checks the shell: the window
 * opens, the home screen renders, app:info travels through preload + IPC, and the page has no Node.
 * Needs the Electron binary and playwright-core; on machines without them the test is skipped with
 * the reason (this repository does not download Electron: package.json sets allowScripts.electron=false).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The small part of playwright-core's API this test uses (it is an optional, untyped dependency here). */
interface ElectronPage {
  title(): Promise<string>;
  textContent(selector: string): Promise<string | null>;
  waitForSelector(selector: string, options?: { timeout?: number }): Promise<unknown>;
  evaluate<T>(expression: string): Promise<T>;
}
interface ElectronApplication {
  firstWindow(): Promise<ElectronPage>;
  close(): Promise<void>;
}
interface PlaywrightElectron {
  launch(options: { args: string[]; cwd?: string; env?: Record<string, string> }): Promise<ElectronApplication>;
}

function electronBinaryInstalled(): boolean {
  // node_modules/electron/index.js throws when the binary was never downloaded; check without calling it.
  const electronDir = path.join(ROOT, 'node_modules', 'electron');
  return existsSync(path.join(electronDir, 'path.txt')) && existsSync(path.join(electronDir, 'dist'));
}

function playwrightCoreInstalled(): boolean {
  try {
    require.resolve('playwright-core');
    return true;
  } catch {
    return false;
  }
}

const missing = [
  electronBinaryInstalled() ? null : 'Electron binary not installed here (no download on this machine)',
  playwrightCoreInstalled() ? null : 'playwright-core not installed',
].filter((reason): reason is string => reason !== null);

const skipReason = missing.length > 0 ? `${missing.join('; ')}: shell test skipped` : null;

describe('Electron shell', () => {
  if (skipReason !== null) {
    it.skip(skipReason, () => undefined);
    return;
  }

  it('opens the hardened window and shows app:info from the backend', async () => {
    if (!existsSync(path.join(ROOT, 'out', 'main', 'index.js'))) {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
    }
    // A variable specifier keeps TypeScript from requiring playwright-core's types at compile time.
    const playwrightModule = 'playwright-core';
    const playwright = (await import(playwrightModule)) as { _electron: PlaywrightElectron };
    // Chromium refuses to start its sandbox as root (CI containers); elsewhere the sandbox stays on.
    const sandboxArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
    const app = await playwright._electron.launch({ args: [ROOT, ...sandboxArgs], cwd: ROOT });
    try {
      const page = await app.firstWindow();
      await page.waitForSelector('[data-testid="app-version"]', { timeout: 30_000 });
      const packageVersion = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

      expect(await page.title()).toBe('Polaris');
      expect(await page.textContent('h1')).toBe('Polaris');
      expect(await page.textContent('[data-testid="app-version"]')).toBe(packageVersion);
      // Context isolation and no Node integration: the page sees only the typed bridge.
      expect(await page.evaluate<string>('typeof require')).toBe('undefined');
      expect(await page.evaluate<string>('typeof process')).toBe('undefined');
      expect(await page.evaluate<string[]>('Object.keys(window.polaris).sort()')).toEqual(['invoke', 'on', 'send']);
    } finally {
      await app.close();
    }
  });
});
