/**
 * The scientist's workflow (part 1), end to end in Chromium against the real services behind the real
 * `polaris serve` server: import a folder with a labels CSV, a 16-bit 4-band TIFF, a FITS frame and a
 * corrupt file; set up and start a tiny training run; watch the monitor; cancel and resume; browse
 * the gallery by mouse and keyboard; open the detail view; export the CSV, the metrics and a figure.
 * Screenshots for docs/screenshots are taken along the way.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLargeFolder, writeRoverDataset, type RoverDataset } from './helpers/ui-datasets';
import { saveScreenshot, startUiSession, uiSkipReason, type UiSession } from './helpers/ui-harness';
import { makeTempDir } from './helpers/temp-dir';

const skipReason = uiSkipReason();

/** Waits until the element's text matches. */
async function waitForText(page: Page, selector: string, pattern: RegExp, timeout = 30_000): Promise<string> {
  await page.waitForFunction(
    ([sel, source, flags]) => new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ''),
    [selector, pattern.source, pattern.flags] as const,
    { timeout },
  );
  return (await page.textContent(selector)) ?? '';
}

async function downloadOf(page: Page, action: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), action()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(file) };
}

/** True when nothing sticks out sideways at the current viewport width. */
async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth && document.body.scrollWidth <= window.innerWidth);
}

async function activeTile(page: Page): Promise<{ position: number; rank: string }> {
  return page.evaluate(() => {
    const grid = document.querySelector('[data-testid="gallery-grid"]');
    const id = grid?.getAttribute('aria-activedescendant');
    const tile = id ? document.getElementById(id) : null;
    return { position: Number(tile?.getAttribute('aria-posinset') ?? -1), rank: tile?.querySelector('[data-testid="tile-rank"]')?.textContent ?? '' };
  });
}

describe.skipIf(skipReason !== null)('the workflow in Chromium', () => {
  let session: UiSession;
  let page: Page;
  let data: { dir: string; cleanup: () => void };
  let rover: RoverDataset;
  let runId = '';

  beforeAll(async () => {
    data = makeTempDir('ui-data');
    rover = writeRoverDataset(path.join(data.dir, 'rover-tiles'));
    session = await startUiSession();
    page = session.page;
    await page.waitForSelector('[data-testid="app-version"]');
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    data?.cleanup();
  });

  it('imports a folder and shows counts, sizes, bands, bit depths, thumbnails and every unreadable file with its reason', async () => {
    expect(await page.textContent('h1')).toBe('Polaris');
    // A relative path is refused before the backend is asked, with a field error that says what to do.
    await page.fill('[data-testid="import-folder"]', 'rover-tiles');
    await page.click('[data-testid="import-submit"]');
    expect(await waitForText(page, '#' + (await page.getAttribute('[data-testid="import-folder"]', 'aria-describedby')), /full path/)).toMatch(/starting with \//);

    // A folder that does not exist: the backend's reason, in words.
    await page.fill('[data-testid="import-folder"]', path.join(data.dir, 'no-such-folder'));
    await page.click('[data-testid="import-submit"]');
    expect(await waitForText(page, '.error-message', /not found/)).toMatch(/A data file could not be used/);

    await page.fill('[data-testid="import-folder"]', rover.folder);
    await page.fill('[data-testid="import-labels"]', rover.labelsCsv);
    await page.click('[data-testid="import-submit"]');
    await page.waitForSelector('[data-testid="dataset-overview"]');
    expect(await waitForText(page, '[data-testid="fact-readable"]', /42/)).toBe('42');
    expect(await page.textContent('[data-testid="fact-files"]')).toBe('43');
    expect(await page.textContent('[data-testid="fact-bit-depth"]')).toMatch(/8-bit.*16-bit|16-bit.*8-bit/);
    expect(await page.textContent('[data-testid="fact-bit-depth"]')).toMatch(/32-bit float/);
    expect(await page.textContent('[data-testid="fact-bands"]')).toMatch(/4 \(1\)/);
    const problems = await page.textContent('[data-testid="problems"]');
    expect(problems).toContain(rover.corrupt);
    expect(problems).toMatch(/truncated PNG/);

    // Thumbnails arrive as PNG data; the corrupt file's tile says it is unreadable.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dataset-files-grid"] img[src^="data:image/png"]').length >= 12);
    expect(await page.locator('[data-testid="dataset-files-grid"] .tile.unreadable').count()).toBe(1);

    // The stretch applies to every thumbnail: switching to asinh fetches new ones.
    const before = await page.getAttribute('[data-testid="dataset-files-grid"] [aria-posinset="2"] img', 'src');
    await page.selectOption('.dataset-overview .display-controls select >> nth=0', 'asinh');
    await page.waitForFunction(
      (old) => {
        const src = document.querySelector('[data-testid="dataset-files-grid"] [aria-posinset="2"] img')?.getAttribute('src');
        return src !== undefined && src !== null && src !== old;
      },
      before,
    );
    // Four bands: the band → RGB mapping offers each of them.
    await page.selectOption('.dataset-overview .display-controls select >> nth=1', 'rgb');
    expect(await page.locator('.band-mapping select >> nth=0 >> option').count()).toBe(4);
    await page.selectOption('.band-mapping select >> nth=0', '3');
    await page.selectOption('.dataset-overview .display-controls select >> nth=1', 'auto');
    // Linear shows the 8-bit tiles as stored; every view of this dataset now uses it.
    await page.selectOption('.dataset-overview .display-controls select >> nth=0', 'linear');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dataset-files-grid"] img[src^="data:image/png"]').length >= 12);
    expect(await fitsWidth(page)).toBe(true);
    await saveScreenshot(page, 'data-import');
  });

  it('shows the progress of a long import and cancels it', async () => {
    const large = path.join(data.dir, 'large-survey');
    writeLargeFolder(large, 1500);
    await page.click('a[href="#/data"]');
    await page.fill('[data-testid="import-folder"]', large);
    await page.fill('[data-testid="import-labels"]', '');
    await page.click('[data-testid="import-submit"]');
    await page.waitForSelector('.import-form [role="progressbar"][aria-valuenow]');
    await page.click('[data-testid="import-cancel"]');
    expect(await waitForText(page, '.import-form .notice', /cancelled/)).toMatch(/Import cancelled/);
    expect(await page.locator('.import-form [role="progressbar"]').count()).toBe(0);
  });

  it('sets up a run with every constant of method.md and its default, validates it, and starts it', async () => {
    await page.click('.link-list a:has-text("rover-tiles")');
    await page.click('[data-testid="train-on-dataset"]');
    await page.waitForSelector('[data-testid="advanced-constants"]');
    // Defaults are shown; the advanced constants list method.md's, with their help texts.
    expect(await page.getAttribute('[data-testid="setting-latentDim"]', 'placeholder')).toBe('128');
    await page.click('[data-testid="advanced-constants"] summary');
    const constants = await page.textContent('[data-testid="advanced-constants"]');
    expect(constants).toContain('betaTarget');
    expect(constants).toContain('2500');
    expect(constants).toContain('sigmaAngleWeight');

    // A bad value is caught in the form, next to its field.
    await page.fill('[data-testid="setting-epochs"]', '0');
    await page.click('[data-testid="start-training"]');
    await waitForText(page, '#' + (await page.getAttribute('[data-testid="setting-epochs"]', 'aria-describedby')), /from 1 to/);
    expect(page.url()).toContain('#/train');

    await page.fill('[data-testid="setting-epochs"]', '2');
    await page.fill('[data-testid="setting-latentDim"]', '16');
    await page.fill('[data-testid="setting-batchSize"]', '8');
    await page.fill('[data-testid="setting-seed"]', '3');
    await page.fill('input[placeholder="e.g. 4, 5"]', 'bright-streak, blue-patch, dark-crater, stripes');
    await page.fill('[data-testid="advanced-constants"] input[id$="-betaTarget"]', '2000');
    expect(await fitsWidth(page)).toBe(true);
    await page.evaluate(() => document.getElementById('main')?.scrollTo({ top: 0 }));
    await saveScreenshot(page, 'train-setup');
    await page.click('[data-testid="start-training"]');
    await page.waitForURL(/#\/monitor\//);
    runId = decodeURIComponent(page.url().split('#/monitor/')[1] ?? '');
    expect(runId).toMatch(/^run-/);
  });

  it('monitors the run: progress, every loss term live, speed, ETA, backend and reconstructions', async () => {
    await page.waitForSelector('[data-testid="run-progress"][data-status="done"]', { timeout: 150_000 });
    for (const term of ['loss', 'rec', 'kld', 'angle_mu', 'radius_mu']) {
      await page.waitForSelector(`[data-testid="chart-${term}"] .chart-canvas[data-state="ready"]`);
    }
    // Plotly drew the epoch means as SVG paths under the app's CSP (no 'unsafe-eval').
    expect(await page.locator('[data-testid="chart-rec"] .scatterlayer .trace').count()).toBe(2);
    await page.waitForSelector('[data-testid="reconstructions"][data-epochs="2"]');
    expect(await page.locator('[data-testid="reconstructions"] img').count()).toBe(12);
    expect(await page.textContent('[data-testid="epochs-done"]')).toMatch(/2\s*\/\s*2/);
    expect(await page.textContent('[data-testid="images-per-second"]')).toMatch(/images\/s/);
    expect(await page.textContent('[data-testid="run-backend"]')).toMatch(/wasm|cpu|tensorflow/);
    expect(await page.locator('.run-header [role="progressbar"]').getAttribute('aria-valuenow')).toBe('2');

    // Any figure saves as PNG.
    const figure = await downloadOf(page, () => page.click('[data-testid="chart-rec"] button:has-text("Save PNG")'));
    expect(figure.name).toMatch(/-rec\.png$/);
    expect(figure.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(await fitsWidth(page)).toBe(true);
  });

  it('cancels a running run and resumes it from its checkpoint', async () => {
    await page.click('a[href="#/train"]');
    await page.waitForSelector('[data-testid="start-training"]');
    await page.fill('[data-testid="setting-epochs"]', '40');
    await page.fill('[data-testid="setting-latentDim"]', '16');
    await page.fill('[data-testid="setting-batchSize"]', '8');
    await page.click('[data-testid="start-training"]');
    await page.waitForURL(/#\/monitor\//);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="run-progress"]')?.getAttribute('data-epochs')) >= 2, undefined, { timeout: 120_000 });
    // While it trains: the time left is estimated, and the reconstructions of the last epoch are shown.
    await waitForText(page, '[data-testid="eta"]', /\d+ (s|min)/);
    await page.waitForSelector('[data-testid="reconstructions"] img');
    await saveScreenshot(page, 'monitor');
    await page.click('button:has-text("Cancel training")');
    await page.waitForSelector('[data-testid="run-progress"][data-status="interrupted"]', { timeout: 60_000 });
    await page.click('button:has-text("Resume from epoch")');
    await page.waitForSelector('[data-testid="run-progress"][data-status="running"]', { timeout: 60_000 });
    await page.click('button:has-text("Cancel training")');
    await page.waitForSelector('[data-testid="run-progress"][data-status="interrupted"]', { timeout: 60_000 });
  });

  it('scores a pixel baseline without training and opens it in the gallery', async () => {
    await page.click('a[href="#/train"]');
    await page.waitForSelector('[data-testid="start-training"]');
    await page.check('input[type="radio"][value="pixel-knn"]');
    expect(await page.isDisabled('[data-testid="setting-epochs"]')).toBe(true);
    expect(await page.locator('[data-testid="advanced-constants"]').count()).toBe(0);
    await page.click('[data-testid="start-training"]');
    await page.waitForURL(/#\/gallery\/pixel-knn-/, { timeout: 60_000 });
    expect(await waitForText(page, '[data-testid="gallery-grid"] [aria-posinset="1"] [data-testid="tile-rank"]', /#1$/)).toBe('#1');
    expect(await page.textContent('.gallery-title h2')).toMatch(/Pixel k-NN/);
  });

  it('browses the gallery: ranks, sorting, keyboard, the detail view, exports', async () => {
    await page.goto(`${session.server.url}#/gallery/${encodeURIComponent(runId)}`);
    await page.waitForSelector('[data-testid="gallery-grid"] [data-testid="tile-rank"]');
    expect(await waitForText(page, '[data-testid="gallery-grid"] [aria-posinset="1"] [data-testid="tile-rank"]', /#1$/)).toBe('#1');
    expect(await page.textContent('[data-testid="gallery-count"]')).toMatch(/4[12] items, most anomalous first/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-grid"] img[src^="data:image/png"]').length >= 10);

    // Sort by file name, then reverse it: the first tile follows.
    await page.selectOption('[data-testid="sort-key"]', 'file');
    await waitForText(page, '[data-testid="gallery-count"]', /file name A→Z/);
    await waitForText(page, '[data-testid="gallery-grid"] [aria-posinset="1"] .tile-file', /^faint-source\.fits$/);
    await page.click('[data-testid="sort-direction"]');
    await waitForText(page, '[data-testid="gallery-grid"] [aria-posinset="1"] .tile-file', /^tile-039\.png$/);
    await page.selectOption('[data-testid="sort-key"]', 'score');
    await waitForText(page, '[data-testid="gallery-grid"] [aria-posinset="1"] [data-testid="tile-rank"]', /^#1$/);
    await page.selectOption('[data-testid="sort-key"]', 'label');
    await waitForText(page, '[data-testid="gallery-count"]', /label A→Z/);
    await page.selectOption('[data-testid="sort-key"]', 'rank');
    await waitForText(page, '[data-testid="gallery-count"]', /most anomalous first/);

    // Keyboard: focus the grid, move right and down, open the detail with Enter; it follows the arrows.
    await page.focus('[data-testid="gallery-grid"]');
    await page.keyboard.press('ArrowRight');
    expect((await activeTile(page)).position).toBe(2);
    await page.keyboard.press('ArrowDown');
    const columns = (await activeTile(page)).position - 2;
    expect(columns).toBeGreaterThan(1);
    await page.keyboard.press('Home');
    expect(await activeTile(page)).toEqual({ position: 1, rank: '#1' });
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="item-detail"]');
    await page.waitForSelector('[data-testid="neighbours"] li');
    expect(await page.locator('[data-testid="neighbours"] li').count()).toBe(3);
    expect(await page.textContent('[data-testid="neighbours"]')).toMatch(/d = \d/);
    await page.waitForSelector('[data-testid="item-detail"] .reconstruction-pair img');
    await page.waitForSelector('[data-testid="item-detail"] .band-list img');
    expect(await page.textContent('#detail-heading')).toMatch(/Rank #1/);
    expect(await fitsWidth(page)).toBe(true);
    await saveScreenshot(page, 'gallery-detail');
    await page.keyboard.press('ArrowRight');
    await waitForText(page, '#detail-heading', /Rank #2/);
    await page.keyboard.press('Escape');
    expect(await page.locator('[data-testid="item-detail"]').count()).toBe(0);

    // Exports: the ranked list as CSV and the metrics as JSON.
    await page.click('summary:has-text("Export")');
    const csv = await downloadOf(page, () => page.click('[data-testid="export-csv"]'));
    const lines = csv.bytes.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('file,score,rank,label');
    const ranks = lines.slice(1).map((line) => Number(line.split(',')[2]));
    expect(ranks).toEqual(ranks.map((_, i) => i + 1));
    const metrics = await downloadOf(page, () => page.click('[data-testid="export-metrics"]'));
    const parsed = JSON.parse(metrics.bytes.toString('utf8')) as { runId: string; metrics: Record<string, number> | null; config: Record<string, unknown> };
    expect(parsed.runId).toBe(runId);
    expect(parsed.config['betaTarget']).toBe(2000);
    expect(parsed.metrics?.['auroc']).toBeGreaterThan(0);
    await page.click('summary:has-text("Export")');
  });

  it('is usable by keyboard alone: the views are reachable by Tab and Enter', async () => {
    // A reload keeps the connection (the token is remembered for the tab) and starts focus at the top.
    await page.goto(`${session.server.url}#/data`);
    await page.reload();
    await page.waitForSelector('[data-testid="import-folder"]');
    await page.keyboard.press('Tab'); // skip link
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Tab'); // Data
    await page.keyboard.press('Tab'); // Train
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/train/);
    await page.keyboard.press('Tab'); // Monitor
    await page.keyboard.press('Tab'); // Gallery
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/gallery\//);
    expect(session.consoleErrors.filter((message) => !/frame-ancestors|favicon|404/.test(message))).toEqual([]);
  });
});
