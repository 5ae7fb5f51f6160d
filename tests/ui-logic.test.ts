/**
 * The renderer's pure logic, without a browser: the virtual grid's window arithmetic and keyboard
 * moves, routes, sorting, the training form's parsing, paths, CSV, error wording and the thumbnail
 * batching.
 */
import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute } from '../src/renderer/src/app/router';
import { csvRow } from '../src/renderer/src/lib/csv';
import { describeError } from '../src/renderer/src/lib/describe-error';
import { formatBytes, formatDuration, formatNumber } from '../src/renderer/src/lib/format';
import { checkTypedPath } from '../src/renderer/src/lib/recent-paths';
import { ThumbnailCache, type ThumbnailImage } from '../src/renderer/src/lib/thumbnail-cache';
import { columnCount, nextActiveIndex, scrollTopToReveal, tilePosition, visibleWindow, type GridMetrics } from '../src/renderer/src/lib/virtual-window';
import { describeSort, parseSort, parseSplit } from '../src/renderer/src/views/Gallery/gallery-sort';
import { BASIC_FIELDS, changedOverrides, checkBasicField, parseFieldText } from '../src/renderer/src/views/Train/config-fields';

const METRICS: GridMetrics = { tileWidth: 150, tileHeight: 200, gap: 10 };

describe('virtual grid arithmetic', () => {
  it('fits as many columns as the width allows, at least one', () => {
    expect(columnCount(800, METRICS)).toBe(5); // 5·150 + 4·10 = 790
    expect(columnCount(789, METRICS)).toBe(4);
    expect(columnCount(20, METRICS)).toBe(1);
  });

  it('renders a window of rows around the scroll position, however long the list', () => {
    const count = 100_000;
    const top = visibleWindow(count, 800, 630, 0, METRICS, 1);
    expect(top).toMatchObject({ columns: 5, rows: 20_000, first: 0 });
    expect(top.last).toBe(5 * (Math.floor(630 / 210) + 2) - 1); // rows 0..4 inclusive
    expect(top.height).toBe(20_000 * 210 - 10);
    const end = visibleWindow(count, 800, 630, top.height - 630, METRICS, 1);
    expect(end.last).toBe(count - 1);
    expect(end.last - end.first + 1).toBeLessThan(40);
    expect(visibleWindow(0, 800, 630, 0, METRICS)).toMatchObject({ first: 0, last: -1 });
    // A last row that is only partly filled never yields indices past the end.
    expect(visibleWindow(7, 800, 2000, 0, METRICS).last).toBe(6);
  });

  it('places tiles and scrolls just enough to reveal one', () => {
    expect(tilePosition(7, 5, METRICS)).toEqual({ left: 2 * 160, top: 210 });
    expect(scrollTopToReveal(0, 5, 630, 500, METRICS)).toBe(0);
    expect(scrollTopToReveal(7, 5, 630, 0, METRICS)).toBe(0); // already visible
    expect(scrollTopToReveal(50, 5, 630, 0, METRICS)).toBe(10 * 210 + 200 - 630);
  });

  it('moves the active item like a grid', () => {
    expect(nextActiveIndex('ArrowRight', 4, 100, 5, 3)).toBe(5);
    expect(nextActiveIndex('ArrowLeft', 0, 100, 5, 3)).toBe(0);
    expect(nextActiveIndex('ArrowDown', 97, 100, 5, 3)).toBe(99);
    expect(nextActiveIndex('ArrowUp', 3, 100, 5, 3)).toBe(0);
    expect(nextActiveIndex('PageDown', 0, 100, 5, 3)).toBe(15);
    expect(nextActiveIndex('PageUp', 20, 100, 5, 3)).toBe(5);
    expect(nextActiveIndex('End', 0, 100, 5, 3)).toBe(99);
    expect(nextActiveIndex('Home', 50, 100, 5, 3)).toBe(0);
    expect(nextActiveIndex('a', 50, 100, 5, 3)).toBeNull();
    expect(nextActiveIndex('End', 0, 0, 5, 3)).toBeNull();
  });
});

describe('routes and sorting', () => {
  it('round-trips views, parameters and queries through the hash', () => {
    const hash = formatRoute('gallery', ['run-2025 01/x'], { sort: 'file', dir: 'desc', split: undefined });
    expect(hash).toBe('#/gallery/run-2025%2001%2Fx?sort=file&dir=desc');
    const route = parseRoute(hash);
    expect(route.view).toBe('gallery');
    expect(route.params).toEqual(['run-2025 01/x']);
    expect(route.query.get('dir')).toBe('desc');
    expect(parseRoute('').view).toBe('');
    expect(parseRoute('#/data/%E0%A4%A').params).toEqual(['%E0%A4%A']); // malformed escapes stay as typed
  });

  it('reads sorts from the URL with sensible defaults, and says them in words', () => {
    expect(parseSort(null, null)).toEqual({ key: 'rank', direction: 'asc' });
    expect(parseSort('score', null)).toEqual({ key: 'score', direction: 'desc' });
    expect(parseSort('label', 'desc')).toEqual({ key: 'label', direction: 'desc' });
    expect(parseSort('drop table', 'asc')).toEqual({ key: 'rank', direction: 'asc' });
    expect(describeSort({ key: 'rank', direction: 'asc' })).toBe('most anomalous first');
    expect(parseSplit('test')).toBe('test');
    expect(parseSplit('everything')).toBe('all');
  });
});

describe('the training form', () => {
  it('parses numbers, lists and empty fields against the kind of the default', () => {
    expect(parseFieldText('', 128)).toEqual({ value: undefined });
    expect(parseFieldText(' 2e-4 ', 0.0002)).toEqual({ value: 0.0002 });
    expect(parseFieldText('280, 450', [280, 450])).toEqual({ value: [280, 450] });
    expect(parseFieldText('ten', 10)).toEqual({ error: 'Enter a number' });
    expect(parseFieldText('1, x', [1])).toEqual({ error: 'Enter numbers separated by commas' });
  });

  it('checks the main settings against the contract bounds', () => {
    const epochs = BASIC_FIELDS.find((field) => field.key === 'epochs');
    const learningRate = BASIC_FIELDS.find((field) => field.key === 'learningRate');
    if (epochs === undefined || learningRate === undefined) throw new Error('fields missing');
    expect(checkBasicField(epochs, 0)).toMatch(/from 1 to 10,000/);
    expect(checkBasicField(epochs, 2.5)).toBe('Enter a whole number');
    expect(checkBasicField(epochs, 2)).toBeNull();
    expect(checkBasicField(learningRate, 0)).toMatch(/above 0/);
  });

  it('sends only what differs from the defaults', () => {
    const defaults = { method: 'comp', epochs: 300, lrMilestones: [280, 450], horizontalFlip: false };
    expect(changedOverrides({ method: 'comp', epochs: 2, lrMilestones: [280, 450], horizontalFlip: true, seed: undefined }, defaults)).toEqual({ epochs: 2, horizontalFlip: true });
  });
});

describe('small helpers', () => {
  it('accepts only absolute typed paths, explaining the rest', () => {
    expect(checkTypedPath('/data/rover', 'image folder')).toBeNull();
    expect(checkTypedPath('C:\\data\\rover', 'image folder')).toBeNull();
    expect(checkTypedPath('', 'image folder')).toMatch(/Enter the full path of the image folder/);
    expect(checkTypedPath('data/rover', 'image folder')).toMatch(/starting with \//);
    expect(checkTypedPath('~/data', 'image folder')).toMatch(/home folder/);
  });

  it('quotes CSV cells that need it', () => {
    expect(csvRow(['a,b', 'say "hi"', 3.5, null])).toBe('"a,b","say ""hi""",3.5,\n');
  });

  it('formats numbers, sizes and durations for people', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(2500)).toBe('2500');
    expect(formatNumber(1.5e-5)).toBe('1.500e-5');
    expect(formatNumber(null)).toBe('—');
    expect(formatBytes(187_000)).toBe('187 KB');
    expect(formatDuration(185)).toBe('3 min 05 s');
  });

  it('words errors so that a scientist can act on them', () => {
    const invalid = describeError({ name: 'InvalidPayloadError', message: 'Invalid payload for runs:start: config.epochs: Too small' });
    expect(invalid.title).toBe('Some settings are not valid');
    expect(invalid.detail).toBe('config.epochs: Too small');
    expect(describeError({ name: 'TransportError', message: 'closed' }).hint).toMatch(/polaris serve/);
    expect(describeError({ name: 'WeirdError', message: 'x' }).title).toBe('Something went wrong');
  });
});

describe('thumbnail batching', () => {
  it('fetches what tiles ask for in batches, newest first, once, and skips tiles that went away', async () => {
    const batches: string[][] = [];
    const cache = new ThumbnailCache(
      async (files) => {
        batches.push([...files]);
        return new Map<string, ThumbnailImage>(files.map((file) => [file, { src: `data:${file}`, error: null }]));
      },
      { batchSize: 3, concurrency: 1 },
    );
    const seen: string[] = [];
    const unsubscribeGone = cache.subscribe('gone', () => seen.push('gone'));
    for (const file of ['a', 'b', 'c', 'd']) cache.subscribe(file, () => seen.push(file));
    cache.subscribe('a', () => seen.push('a again'));
    unsubscribeGone();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches).toEqual([['d', 'c', 'b'], ['a']]);
    expect(cache.peek('d')).toEqual({ src: 'data:d', error: null });
    expect(cache.peek('gone')).toBeUndefined();
    expect(seen.sort()).toEqual(['a', 'a again', 'b', 'c', 'd']);
  });
});
