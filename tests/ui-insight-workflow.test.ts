/**
 * The scientist's workflow, part 2, in Chromium against the real services behind `polaris serve`:
 * score histograms with the labelled classes and a threshold shown in the gallery; per-angle
 * histograms overlaid across epochs and runs, the pole heat map, and a bin click that filters the
 * gallery; the hypersphere in 3-D (Comp.VAE beside a standard VAE) under the app's CSP, where a
 * clicked point opens its item; labelling by keyboard and mouse with metrics recomputed for every
 * run, stored and exported; and the run comparison with config differences, ROC curves and the
 * top-k overlap. Two real runs (Comp.VAE and VAE, a few epochs on MNIST digits written as PNGs) are
 * trained in-process with the real writers and imported, as a run folder from a cluster would be.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsightServices } from '../src/main/services/insight-services';
import { runTrainJob } from '../src/main/services/train-job';
import { writeDigitFolder, type DigitFolder } from './helpers/insight-runs';
import { saveScreenshot, startUiSession, uiSkipReason, type UiSession } from './helpers/ui-harness';
import { makeTempDir } from './helpers/temp-dir';

const skipReason = uiSkipReason();
if (skipReason !== null) console.warn(skipReason);

async function waitForText(page: Page, selector: string, pattern: RegExp, timeout = 30_000): Promise<string> {
  await page.waitForFunction(
    ([sel, source, flags]) => new RegExp(source, flags).test(document.querySelector(sel)?.textContent ?? ''),
    [selector, pattern.source, pattern.flags] as const,
    { timeout },
  );
  return (await page.textContent(selector)) ?? '';
}

async function downloadOf(page: Page, action: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), action()]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

async function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/** Waits until the plotly chart of a test id has drawn. */
async function chartReady(page: Page, testId: string): Promise<void> {
  await page.waitForSelector(`[data-testid="${testId}"] .chart-canvas[data-state="ready"]`, { timeout: 30_000 });
}

/**
 * Clicks a 2-D plotly bar or point by its data coordinates, as a person would: the position comes from
 * the chart's own axes. `trace` picks the trace by name.
 */
async function clickPlotPoint(page: Page, testId: string, traceName: string, bin: number): Promise<void> {
  const position = await page.evaluate(
    ([id, name, index]) => {
      type Axis = { _offset: number; l2p(value: number): number };
      const gd = document.querySelector(`[data-testid="${id}"] .chart-canvas`) as HTMLElement & {
        data: { name?: string; x: number[]; y: number[] }[];
        _fullLayout: { xaxis: Axis; yaxis: Axis };
      };
      const trace = gd.data.find((entry) => entry.name === name);
      if (trace === undefined) throw new Error(`no trace ${name}`);
      const { xaxis, yaxis } = gd._fullLayout;
      const rect = gd.getBoundingClientRect();
      const x = trace.x[index] as number;
      const y = trace.y[index] as number;
      return { x: rect.left + xaxis._offset + xaxis.l2p(x), y: rect.top + yaxis._offset + yaxis.l2p(y / 2) };
    },
    [testId, traceName, bin] as const,
  );
  await page.mouse.click(position.x, position.y);
}

/**
 * The screen position of a point of a plotly scatter3d, projected with the scene's own camera (the
 * same matrices WebGL draws with), and the index it carries.
 */
async function spherePointPosition(page: Page, testId: string, rank: number): Promise<{ x: number; y: number }> {
  return page.evaluate(
    ([id, wantedRank]) => {
      type Matrix = ArrayLike<number>;
      const gd = document.querySelector(`[data-testid="${id}"] .chart-canvas`) as HTMLElement & {
        data: { type: string; x: number[]; y: number[]; z: number[]; text?: string[] }[];
        _fullLayout: { scene: { _scene: { glplot: { cameraParams: { view: Matrix; projection: Matrix; model: Matrix }; canvas: HTMLCanvasElement }; dataScale: number[] } } };
      };
      const scene = gd._fullLayout.scene._scene;
      const points = gd.data.find((trace) => trace.type === 'scatter3d' && Array.isArray(trace.text) && trace.text.some((text) => text.includes(`rank ${wantedRank} `)));
      if (points === undefined || points.text === undefined) throw new Error(`no point of rank ${wantedRank}`);
      const position = points.text.findIndex((text) => text.includes(`rank ${wantedRank} `));
      const { view, projection, model } = scene.glplot.cameraParams;
      const scale = scene.dataScale;
      const multiply = (m: Matrix, v: number[]): number[] => [0, 1, 2, 3].map((row) => (m[row] as number) * (v[0] as number) + (m[4 + row] as number) * (v[1] as number) + (m[8 + row] as number) * (v[2] as number) + (m[12 + row] as number) * (v[3] as number));
      const world = [(points.x[position] as number) * (scale[0] as number), (points.y[position] as number) * (scale[1] as number), (points.z[position] as number) * (scale[2] as number), 1];
      const clip = multiply(projection, multiply(view, multiply(model, world)));
      const rect = scene.glplot.canvas.getBoundingClientRect();
      return { x: rect.left + (((clip[0] as number) / (clip[3] as number) + 1) / 2) * rect.width, y: rect.top + ((1 - (clip[1] as number) / (clip[3] as number)) / 2) * rect.height };
    },
    [testId, rank] as const,
  );
}

describe.skipIf(skipReason !== null)('part 2 of the workflow in Chromium: hypersphere, labels, comparison', () => {
  let session: UiSession;
  let page: Page;
  let data: { dir: string; cleanup: () => void };
  let digits: DigitFolder;
  let insight: InsightServices;
  let compRun = '';
  let vaeRun = '';
  let datasetId = 0;

  beforeAll(async () => {
    data = makeTempDir('ui-insight');
    digits = writeDigitFolder(path.join(data.dir, 'digits'), { perDigit: 24, anomalyDigit: 7, anomalies: 50 });
    // Two real runs on the same images, as `polaris train` writes them (snapshots after every epoch).
    const folders: string[] = [];
    for (const method of ['comp', 'vae'] as const) {
      const runDir = path.join(data.dir, 'runs', `digits-${method}`);
      await runTrainJob({
        runDir,
        runId: `digits-${method}`,
        dataset: { kind: 'folder', path: digits.folder, labelsCsv: digits.labelsCsv, anomalyClasses: ['7'], onProblem: 'stop' },
        // A higher learning rate than method.md's so that 6 short epochs already show Comp.VAE's island.
        overrides: { method, imageSize: 32, channels: 1, latentDim: 16, epochs: 6, batchSize: 32, learningRate: 2e-3, seed: 3 },
      });
      folders.push(runDir);
    }
    session = await startUiSession();
    page = session.page;
    [compRun, vaeRun] = folders.map((folder) => session.services.importRun(folder).runId) as [string, string];
    datasetId = session.services.getRun(compRun).datasetId ?? 0;
    insight = new InsightServices({ store: session.services.store });
    await page.waitForSelector('[data-testid="app-version"]');
  }, 150_000);

  afterAll(async () => {
    await session?.close();
    data?.cleanup();
  });

  it('shows the score histogram with the classes overlaid and a threshold that the gallery marks', async () => {
    await page.goto(`${session.server.url}#/scores/${compRun}`);
    await chartReady(page, 'score-histogram');
    // One translucent bar trace per labelled class: normal and anomalous (the held-out digit).
    expect(await page.locator('[data-testid="score-histogram"] .barlayer .trace').count()).toBe(2);
    const legend = await page.textContent('[data-testid="score-histogram"] .legend');
    expect(legend).toContain('Normal');
    expect(legend).toContain('Anomalous');

    // A threshold at the 10th score flags ranks 1–10.
    const tenth = session.services.runItems({ runId: compRun, offset: 9, limit: 1, orderBy: 'rank' }).items[0]?.score ?? 0;
    await page.fill('[data-testid="threshold-value"]', String(tenth));
    await page.press('[data-testid="threshold-value"]', 'Enter');
    const summary = await waitForText(page, '[data-testid="threshold-summary"]', /flagged/);
    expect(summary).toMatch(/^10 of 266 items flagged \(ranks 1–10 of the run\)/);
    await page.waitForSelector('[data-testid="score-histogram"] .shapelayer path', { state: 'attached' });
    expect(await fitsWidth(page)).toBe(true);
    await saveScreenshot(page, 'insight-scores');

    await page.click('[data-testid="threshold-gallery"]');
    await page.waitForURL(new RegExp(`#/gallery/${compRun}$`));
    expect(await waitForText(page, '[data-testid="gallery-threshold"]', /flagged/)).toMatch(/10 flagged \(ranks 1–10\)/);
    await page.waitForSelector('[aria-posinset="10"] .tile.above-threshold');
    await page.waitForSelector('[aria-posinset="11"] .tile:not(.above-threshold)');
  });

  it('opens the items of a score bin in the gallery', async () => {
    await page.goto(`${session.server.url}#/scores/${compRun}`);
    await chartReady(page, 'score-histogram');
    const histogram = insight.scoreHistogram({ runId: compRun, grouping: 'anomaly', bins: 40, split: 'all', threshold: null });
    const anomalous = histogram.groups.find((group) => group.key === 'anomalous');
    const fullest = anomalous?.counts.indexOf(Math.max(...(anomalous?.counts ?? [0]))) ?? 0;
    await clickPlotPoint(page, 'score-histogram', 'Anomalous', fullest);
    await page.waitForURL(/#\/gallery\/.*filter=/);
    const chip = await waitForText(page, '[data-testid="gallery-filter"]', /items/);
    expect(chip).toMatch(/Score .*anomalous/);
    expect(await waitForText(page, '[data-testid="gallery-count"]', /items/)).toMatch(new RegExp(`^${anomalous?.counts[fullest]} items`));
  });

  it('overlays the angle histograms across epochs and runs, maps the pole forming, and opens a bin', async () => {
    await page.goto(`${session.server.url}#/angles/${compRun}`);
    await chartReady(page, 'angle-histogram');
    await chartReady(page, 'angle-heatmap-chart');
    // The first and last of the 6 epoch snapshots by default: 2 series × (normal, anomalous) step lines.
    expect(await page.locator('[data-testid="angle-histogram"] .scatterlayer .trace').count()).toBe(4);
    const heatmap = insight.angleHeatmap(compRun, 'all');
    expect(heatmap.epochs).toEqual([0, 1, 2, 3, 4, 5]);
    expect(heatmap.angleCount).toBe(15);
    await page.waitForSelector('[data-testid="angle-heatmap-chart"] .hm');

    // Across runs, in degrees: this run's scored model and the VAE's.
    await page.click('[data-testid="angle-overlay"] label:has-text("Runs")');
    await page.click('[data-testid="angle-scale"] label:has-text("degrees")');
    await page.waitForFunction((name) => (document.querySelector('[data-testid="angle-histogram"] .legend')?.textContent ?? '').includes(name), `VAE (${vaeRun})`);
    expect(await page.textContent('[data-testid="angle-histogram"] .legend')).toContain(`Comp.VAE (${compRun})`);
    expect(await fitsWidth(page)).toBe(true);

    // Back to one epoch of this run: bars, one per group; click the fullest normal bin.
    await page.click('[data-testid="angle-overlay"] label:has-text("Epochs")');
    await page.click('[data-testid="angle-scale"] label:has-text("cos")');
    await page.fill('[data-testid="angle-number"]', '2');
    await page.uncheck('[data-testid="epoch-choices"] label:nth-child(2) input');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="angle-histogram"] .barlayer .trace').length === 2);
    await chartReady(page, 'angle-histogram');
    await saveScreenshot(page, 'insight-angles');
    const expected = insight.angleHistograms({ series: [{ runId: compRun, epoch: 5 }], angle: 2, scale: 'cosine', grouping: 'anomaly', bins: 40, range: 'full' });
    const normal = expected.series[0]?.groups.find((group) => group.key === 'normal');
    const fullest = normal?.counts.indexOf(Math.max(...(normal?.counts ?? [0]))) ?? 0;
    await clickPlotPoint(page, 'angle-histogram', 'Normal', fullest);
    await page.waitForURL(/#\/gallery\/.*filter=/);
    expect(await waitForText(page, '[data-testid="gallery-filter"]', /items/)).toMatch(/cos φ2 .*normal \(after epoch 6, snapshot sample\)/);
    expect(await waitForText(page, '[data-testid="gallery-count"]', /items/)).toMatch(new RegExp(`^${normal?.counts[fullest]} items`));

    // The same bins as a table, by keyboard: each count is a button that opens its items.
    await page.goBack();
    await chartReady(page, 'angle-histogram');
    await page.click('.histogram-table summary');
    const firstCount = page.locator('[data-testid="angle-histogram-table"] button').first();
    const count = Number(await firstCount.textContent());
    await firstCount.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/gallery\/.*filter=/);
    expect(await waitForText(page, '[data-testid="gallery-count"]', /items/)).toMatch(new RegExp(`^${count} items`));
  });

  it('draws the hypersphere in 3-D under the CSP, Comp.VAE beside a standard VAE, and opens a clicked point', async () => {
    // Every CSP violation of the page from its start (a fresh load, so plotly's gl3d code runs under the policy).
    await session.context.addInitScript(() => {
      const violations: string[] = [];
      Object.assign(window, { cspViolations: violations });
      document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}:${event.columnNumber} ${event.sample}`));
    });
    await page.goto(`${session.server.url}#/sphere/${compRun}`);
    await page.reload();
    await chartReady(page, 'sphere-left-chart');
    await chartReady(page, 'sphere-right-chart');
    expect(await page.getAttribute('[data-testid="sphere-right"]', 'data-run-id')).toBe(vaeRun);
    // WebGL scenes, one per run, drawn by plotly's gl3d under script-src 'self' (no 'unsafe-eval').
    expect(await page.locator('[data-testid="sphere-left-chart"] canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid="sphere-right-chart"] canvas').count()).toBeGreaterThan(0);
    const left = insight.spherePoints(compRun, null, 4000);
    expect(left.points.index).toHaveLength(266);
    expect(await page.textContent('[data-testid="sphere-left"] .sphere-facts')).toMatch(/n = 16.*points 266/);
    expect(await fitsWidth(page)).toBe(true);
    await page.mouse.move(10, 10);
    await saveScreenshot(page, 'insight-sphere');

    // Hover the most anomalous point, read its label, and click it: that item opens.
    const target = await spherePointPosition(page, 'sphere-left-chart', 1);
    await page.mouse.move(target.x, target.y);
    // gl3d draws its hover label into the scene's own SVG layer inside the chart.
    const hover = await waitForText(page, '[data-testid="sphere-left-chart"] .chart-canvas', /digit-\d-\d{3}\.png/);
    const file = /digit-\d-\d{3}\.png/.exec(hover)?.[0] ?? '';
    expect(file).not.toBe('');
    await page.mouse.down();
    await page.waitForTimeout(120); // gl3d reports a click from its render loop while the button is down
    await page.mouse.up();
    await page.waitForURL(new RegExp(`#/gallery/${compRun}\\?item=\\d+`));
    await page.waitForSelector('[data-testid="item-detail"]');
    expect(await page.textContent('[data-testid="item-detail"]')).toContain(file);
    // Plotly (scatter3d included) never needs 'unsafe-eval'. The one report expected here is zod's
    // caught `new Function('')` probe in the WebSocket transport chunk (it then validates without JIT).
    const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    expect(violations.filter((violation) => !/\/assets\/ws-transport-[^/]*\.js:/.test(violation))).toEqual([]);
    expect(session.consoleErrors.filter((message) => /Refused to|violates the following Content Security Policy|unsafe-eval/i.test(message))).toEqual([]);
  });

  it('labels items from the detail and the gallery by keyboard and mouse; metrics follow for every run; labels are stored and exported', async () => {
    const opened = Number(await page.getAttribute('[data-testid="item-detail"]', 'data-index'));
    const openedFile = session.services.runItem(compRun, opened).file;
    // Keyboard, detail open: "a" labels the open item anomalous.
    await page.keyboard.press('a');
    await page.waitForSelector('[data-testid="detail-labels"][data-label="anomalous"]');
    await page.waitForFunction(() => (document.querySelector('[data-testid="label-metrics-line"]')?.textContent ?? '').includes('1 anomalous'));
    expect(session.services.listLabels(datasetId).map((label) => [label.file, label.label])).toEqual([[openedFile, 'anomalous']]);

    // Close the detail; in the grid, the arrow keys move and "n" labels the active tile normal.
    await page.keyboard.press('Escape');
    await page.focus('[data-testid="gallery-grid"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('n');
    await page.waitForSelector('[data-testid="gallery-labels"][data-label="normal"]');
    await page.waitForSelector('[aria-posinset="3"] .tile[data-user-label="normal"]');
    // Mouse, gallery bar: the next tile is interesting; a normal one from the training split.
    await page.keyboard.press('ArrowRight');
    await page.click('[data-testid="gallery-labels"] [data-testid="label-interesting"]');
    await page.waitForSelector('[aria-posinset="4"] .tile[data-user-label="interesting"]');
    await page.focus('[data-testid="gallery-grid"]');
    await page.keyboard.press('End');
    await page.click('[data-testid="gallery-labels"] [data-testid="label-normal"]');
    await page.waitForSelector('[data-testid="gallery-labels"][data-label="normal"]');
    // Mouse, detail: open the second tile and mark it anomalous with its button.
    await page.focus('[data-testid="gallery-grid"]');
    await page.keyboard.press('Home');
    await page.click('[aria-posinset="2"]');
    await page.click('[data-testid="detail-labels"] [data-testid="label-anomalous"]');
    await page.waitForSelector('[aria-posinset="2"] .tile[data-user-label="anomalous"]');

    const metrics = insight.labelMetrics();
    const comp = metrics.runs.find((run) => run.runId === compRun);
    expect(comp?.labelCounts.anomalous).toBeGreaterThanOrEqual(1);
    expect(comp?.labelCounts.interesting).toBe(1);
    expect(comp?.user.metrics).not.toBeNull();
    const counts = `${comp?.labelCounts.anomalous} anomalous, ${comp?.labelCounts.normal} normal, 1 interesting`;
    const line = await waitForText(page, '[data-testid="label-metrics-line"]', new RegExp(`${counts} · from them: AUROC ${comp?.user.metrics?.auroc.toFixed(3)}`));
    expect(line).toContain(`AP ${comp?.user.metrics?.ap.toFixed(3)}`);
    await saveScreenshot(page, 'insight-labels');

    // Stored: a reload (a new page of the app) shows them.
    await page.reload();
    await page.waitForSelector('[aria-posinset="4"] .tile[data-user-label="interesting"]');

    // Exported with the item's score and rank.
    await page.click('summary:has-text("Export")');
    const labelsCsv = await downloadOf(page, () => page.click('[data-testid="export-user-labels"]'));
    expect(labelsCsv.name).toBe(`${compRun}-labels.csv`);
    const lines = labelsCsv.text.trim().split('\n');
    expect(lines[0]).toBe('file,user_label,labelled_at,score,rank,dataset_label,anomaly,split,index');
    expect(lines).toHaveLength(session.services.listLabels(datasetId).length + 1);
    expect(lines.some((row) => row.startsWith(`${openedFile},anomalous,`))).toBe(true);

    // Every run on the dataset is rescored from the labels: the VAE run too.
    await page.goto(`${session.server.url}#/scores/${compRun}`);
    await page.waitForSelector('[data-testid="label-metrics"] table');
    const vae = metrics.runs.find((run) => run.runId === vaeRun);
    expect(await page.textContent(`[data-testid="user-auroc-${compRun}"]`)).toBe(comp?.user.metrics?.auroc.toFixed(3));
    expect(await page.textContent(`[data-testid="user-auroc-${vaeRun}"]`)).toBe(vae?.user.metrics?.auroc.toFixed(3));
  });

  it('compares the runs: config differences, metrics and time, ROC curves, and the top-k overlap with its changes', async () => {
    await page.goto(`${session.server.url}#/compare?runs=${compRun},${vaeRun}`);
    await page.waitForSelector('[data-testid="compare-table"]');
    const expected = insight.compareRuns({ runIds: [compRun, vaeRun], topK: 20, labelSource: 'dataset', split: 'all' });
    expect(await page.locator('[data-testid="compare-table"] tbody tr').count()).toBe(2);
    expect(await page.textContent(`[data-testid="compare-auroc-${compRun}"]`)).toBe(expected.runs[0]?.metrics.metrics?.auroc.toFixed(3));
    // The stored metrics of the run (dataset labels, test split) are what the table shows.
    expect(expected.runs[0]?.metrics.metrics?.auroc).toBeCloseTo(session.services.getRun(compRun).metrics?.['auroc'] ?? -1, 10);
    const differing = await page.locator('[data-testid="config-differences"] tbody tr[data-differs="true"] th').allTextContents();
    expect(differing).toContain('method');
    expect(await page.locator('[data-testid="config-differences"] td.differs').count()).toBeGreaterThanOrEqual(2);
    await chartReady(page, 'compare-roc-chart');
    expect(await page.locator('[data-testid="compare-roc-chart"] .scatterlayer .trace').count()).toBe(3);

    const overlap = expected.overlaps[0];
    const card = `[data-testid="overlap-${vaeRun}"]`;
    expect(await page.textContent(`${card} [data-testid="overlap-jaccard"]`)).toBe(overlap?.jaccard?.toFixed(3));
    expect(await page.textContent(`${card} [data-testid="overlap-rbo"]`)).toBe(overlap?.rbo?.toFixed(3));
    expect(await page.locator(`${card} [data-testid="entered"] .change-tile`).count()).toBe(Math.min(overlap?.entered.length ?? 0, 24));
    expect(await page.locator(`${card} [data-testid="left"] .change-tile`).count()).toBe(Math.min(overlap?.left.length ?? 0, 24));
    await page.waitForFunction((selector) => document.querySelectorAll(`${selector} .change-tile img[src^="data:image/png"]`).length > 0, card);
    expect(await fitsWidth(page)).toBe(true);
    await saveScreenshot(page, 'insight-compare');

    // From the user's labels: the table follows.
    await page.click('[data-testid="compare-label-source"] label:has-text("Your labels")');
    const byUser = insight.compareRuns({ runIds: [compRun, vaeRun], topK: 20, labelSource: 'user', split: 'all' });
    await waitForText(page, `[data-testid="compare-auroc-${vaeRun}"]`, new RegExp(byUser.runs[1]?.metrics.metrics?.auroc.toFixed(3) ?? 'none'));

    // An item that entered the top k opens in the run where it entered.
    const entered = overlap?.entered[0];
    if (entered !== undefined) {
      await page.click(`${card} [data-testid="entered"] .change-tile >> nth=0`);
      await page.waitForURL(new RegExp(`#/gallery/${vaeRun}\\?item=${entered.indexInOther}$`));
      await page.waitForSelector(`[data-testid="item-detail"][data-index="${entered.indexInOther}"]`);
    }
  });
});
