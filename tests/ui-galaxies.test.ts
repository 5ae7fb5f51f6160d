/**
 * An astronomer's session on a slice of the Galaxy Zoo cutouts (../shared/data/galaxyzoo1-64, skipped
 * when that folder is absent): import with the labels CSV, train a tiny Comp.VAE with the artefact and
 * merger classes held out as known anomalies, and browse the strangest galaxies first.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GALAXY_ZOO_DIR, writeGalaxySlice, type GalaxySlice } from './helpers/ui-datasets';
import { saveScreenshot, startUiSession, uiSkipReason, type UiSession } from './helpers/ui-harness';
import { makeTempDir } from './helpers/temp-dir';
import { existsSync } from 'node:fs';

const skipReason = uiSkipReason() ?? (existsSync(GALAXY_ZOO_DIR) ? null : `${GALAXY_ZOO_DIR} not found: Galaxy Zoo UI test skipped`);

describe.skipIf(skipReason !== null)('Galaxy Zoo cutouts in Chromium', () => {
  let session: UiSession;
  let page: Page;
  let data: { dir: string; cleanup: () => void };
  let slice: GalaxySlice;

  beforeAll(async () => {
    data = makeTempDir('ui-galaxies');
    const written = writeGalaxySlice(path.join(data.dir, 'galaxyzoo-slice'), 160, 24);
    if (written === null) throw new Error('Galaxy Zoo data vanished');
    slice = written;
    session = await startUiSession();
    page = session.page;
    await page.waitForSelector('[data-testid="app-version"]');
  }, 120_000);

  afterAll(async () => {
    await session?.close();
    data?.cleanup();
  });

  it('imports the slice, trains a tiny model and shows the known anomalies among the top ranks', async () => {
    await page.fill('[data-testid="import-folder"]', slice.folder);
    await page.fill('[data-testid="import-labels"]', slice.labelsCsv);
    await page.click('[data-testid="import-submit"]');
    await page.waitForFunction((count) => document.querySelector('[data-testid="fact-readable"]')?.textContent === String(count), slice.count, { timeout: 60_000 });
    expect(await page.textContent('.dataset-overview .ok-note')).toMatch(/Every file could be read/);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dataset-files-grid"] img[src^="data:image/png"]').length >= 12);

    await page.click('[data-testid="train-on-dataset"]');
    await page.waitForSelector('[data-testid="start-training"]');
    await page.fill('[data-testid="setting-epochs"]', '3');
    await page.fill('[data-testid="setting-latentDim"]', '16');
    await page.fill('[data-testid="setting-batchSize"]', '32');
    await page.fill('input[placeholder="e.g. 4, 5"]', '4, 5');
    await page.click('[data-testid="start-training"]');
    await page.waitForURL(/#\/monitor\//);
    const runId = decodeURIComponent(page.url().split('#/monitor/')[1] ?? '');
    await page.waitForSelector('[data-testid="run-progress"][data-status="done"]', { timeout: 150_000 });

    await page.click('a:has-text("Browse the results")');
    await page.waitForURL(/#\/gallery\//);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="gallery-grid"] img[src^="data:image/png"]').length >= 15);
    expect(await page.textContent('[data-testid="gallery-count"]')).toMatch(new RegExp(`${slice.count} items`));
    // The AUROC of the held-out artefacts and mergers is computed and exported with the run.
    const detail = await session.services.getRun(runId);
    expect(detail.metrics?.['auroc']).toBeGreaterThan(0);

    await page.focus('[data-testid="gallery-grid"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="neighbours"] li img');
    await page.waitForSelector('[data-testid="item-detail"] .reconstruction-pair img');
    await page.waitForSelector('[data-testid="item-detail"] .band-list img');
    await saveScreenshot(page, 'gallery-galaxies');
  });
});
