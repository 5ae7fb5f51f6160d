/**
 * The gallery at scale: a run of 100,000 scored items, imported through the real run-folder import and
 * served by the real services, scrolls with only a window of tiles in the DOM, reaches the last rank
 * by keyboard and by scrolling, re-sorts, and exports with progress and a cancel button.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticRun } from './helpers/ui-datasets';
import { startUiSession, uiSkipReason, type UiSession } from './helpers/ui-harness';
import { makeTempDir } from './helpers/temp-dir';

const ITEMS = 100_000;
const skipReason = uiSkipReason();

async function tilesInDom(page: Page): Promise<number> {
  return page.locator('[data-testid="gallery-grid"] [role="option"]').count();
}

async function rankAt(page: Page, position: number): Promise<string> {
  const selector = `[data-testid="gallery-grid"] [aria-posinset="${position}"] [data-testid="tile-rank"]`;
  await page.waitForSelector(selector);
  return (await page.textContent(selector)) ?? '';
}

describe.skipIf(skipReason !== null)('the gallery with 100,000 items', () => {
  let session: UiSession;
  let page: Page;
  let data: { dir: string; cleanup: () => void };
  let runId = '';

  beforeAll(async () => {
    data = makeTempDir('ui-scale');
    const run = writeSyntheticRun(path.join(data.dir, 'synthetic-run'), ITEMS);
    session = await startUiSession();
    page = session.page;
    runId = session.services.importRun(run.folder).runId;
    await page.goto(`${session.server.url}#/gallery/${encodeURIComponent(runId)}`);
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    data?.cleanup();
  });

  it('renders only a window of tiles and reaches the last rank by keyboard and by scrolling', async () => {
    expect(await rankAt(page, 1)).toBe('#1');
    await page.waitForFunction(() => /100,000 items/.test(document.querySelector('[data-testid="gallery-count"]')?.textContent ?? ''));
    const firstWindow = await tilesInDom(page);
    expect(firstWindow).toBeGreaterThan(10);
    expect(firstWindow).toBeLessThan(150);

    // End jumps to the last item; its page is fetched on demand.
    await page.focus('[data-testid="gallery-grid"]');
    await page.keyboard.press('End');
    await page.waitForFunction(
      (last) => document.querySelector(`[data-testid="gallery-grid"] [aria-posinset="${last}"] [data-testid="tile-rank"]`)?.textContent === `#${last}`,
      ITEMS,
    );
    expect(await tilesInDom(page)).toBeLessThan(150);
    await page.keyboard.press('PageUp');
    await page.keyboard.press('Home');
    expect(await rankAt(page, 1)).toBe('#1');

    // Scrolling (the wheel, as a person would) moves the window through the list.
    const grid = page.locator('[data-testid="gallery-grid"]');
    await grid.hover();
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, 4000);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="gallery-grid"]')?.getAttribute('data-first')) > 50);
    const first = Number(await grid.getAttribute('data-first'));
    expect(await rankAt(page, first + 1)).toBe(`#${first + 1}`);
    // Drag the scroll position to the very end, as the scrollbar does.
    await grid.evaluate((element) => element.scrollTo({ top: element.scrollHeight }));
    expect(await rankAt(page, ITEMS)).toBe(`#${ITEMS}`);
    expect(await tilesInDom(page)).toBeLessThan(150);
  });

  it('sorts 100,000 items by score, label and file', async () => {
    await page.selectOption('[data-testid="sort-key"]', 'score');
    await page.click('[data-testid="sort-direction"]');
    await page.waitForFunction(() => /lowest score first/.test(document.querySelector('[data-testid="gallery-count"]')?.textContent ?? ''));
    await page.waitForFunction(
      (last) => document.querySelector('[data-testid="gallery-grid"] [aria-posinset="1"] [data-testid="tile-rank"]')?.textContent === `#${last}`,
      ITEMS,
    );
    await page.selectOption('[data-testid="sort-key"]', 'file');
    await page.click('[data-testid="sort-direction"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="gallery-grid"] [aria-posinset="1"] .tile-file')?.textContent === 'frame-099999.png');
    await page.selectOption('[data-testid="sort-key"]', 'label');
    await page.waitForFunction(() => document.querySelector('[data-testid="gallery-grid"] [aria-posinset="1"] .tile-label')?.textContent === 'dust');
  });

  it('shows the progress of the CSV export and cancels it', async () => {
    await page.click('summary:has-text("Export")');
    await page.click('[data-testid="export-csv"]');
    await page.waitForSelector('.export-panel [role="progressbar"][aria-valuenow]');
    await page.click('.export-panel button:has-text("Cancel")');
    await page.waitForFunction(() => /Export cancelled/.test(document.querySelector('.export-panel [role="status"]')?.textContent ?? ''));
    expect(await page.locator('.export-panel [role="progressbar"]').count()).toBe(0);
  });
});
