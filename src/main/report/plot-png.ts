/**
 * Small raster line plots written straight to PNG (pngjs), for the ROC curves of the reproduction
 * reports: axes with ticks and tick labels, an optional dashed diagonal, one coloured polyline per
 * series and a legend, all lettered with the built-in bitmap font. No canvas or native library, so it
 * runs wherever the CLI runs.
 */
import { PNG } from 'pngjs';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyphFor } from './bitmap-font';

export type Rgb = readonly [number, number, number];

/** Tableau 10: distinct at a glance and readable for the common colour-vision deficiencies. */
export const SERIES_COLOURS: readonly Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
  [227, 119, 194],
  [127, 127, 127],
  [188, 189, 34],
  [23, 190, 207],
];

export const WHITE: Rgb = [255, 255, 255];
const INK: Rgb = [20, 20, 20];
const GRID: Rgb = [228, 228, 228];
const DIAGONAL: Rgb = [150, 150, 150];

/** An RGBA raster with the few drawing operations a line plot needs. */
export class Raster {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = WHITE,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`Raster size must be positive integers, got ${width}×${height}`);
    }
    this.data = new Uint8Array(width * height * 4);
    this.fillRect(0, 0, width, height, background);
  }

  setPixel(x: number, y: number, colour: Rgb): void {
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    const offset = (py * this.width + px) * 4;
    this.data[offset] = colour[0];
    this.data[offset + 1] = colour[1];
    this.data[offset + 2] = colour[2];
    this.data[offset + 3] = 255;
  }

  fillRect(x: number, y: number, width: number, height: number, colour: Rgb): void {
    for (let py = Math.max(0, Math.round(y)); py < Math.min(this.height, Math.round(y + height)); py++) {
      for (let px = Math.max(0, Math.round(x)); px < Math.min(this.width, Math.round(x + width)); px++) this.setPixel(px, py, colour);
    }
  }

  /** A straight segment `thickness` pixels wide; `dash` = [on, off] lengths in pixels for a dashed line. */
  line(x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1, dash?: readonly [number, number]): void {
    const length = Math.hypot(x1 - x0, y1 - y0);
    const steps = Math.max(1, Math.ceil(length * 2)); // half-pixel steps leave no gaps on steep lines
    const half = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const t = s / steps;
      if (dash && (t * length) % (dash[0] + dash[1]) >= dash[0]) continue;
      const x = x0 + (x1 - x0) * t;
      const y = y0 + (y1 - y0) * t;
      for (let dy = -half; dy <= half; dy++) for (let dx = -half; dx <= half; dx++) this.setPixel(x + dx, y + dy, colour);
    }
  }

  /** Text with its top-left corner at (x, y); `scale` multiplies each font pixel. `vertical` reads bottom to top. */
  text(x: number, y: number, value: string, colour: Rgb = INK, scale = 2, vertical = false): void {
    [...value].forEach((char, index) => {
      const glyph = glyphFor(char);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (!glyph[gy * GLYPH_WIDTH + gx]) continue;
          const along = (index * GLYPH_ADVANCE + gx) * scale;
          // Rotated 90° anticlockwise: the text runs upwards from (x, y), glyph tops facing left.
          const left = vertical ? x + gy * scale : x + along;
          const top = vertical ? y - along - scale : y + gy * scale;
          this.fillRect(left, top, scale, scale, colour);
        }
      }
    });
  }

  toPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    png.data = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength);
    return PNG.sync.write(png);
  }
}

/** Width in pixels of `value` drawn at `scale`. */
export function textWidth(value: string, scale = 2): number {
  const length = [...value].length;
  return length === 0 ? 0 : (length * GLYPH_ADVANCE - 1) * scale;
}

export interface LineSeries {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  colour?: Rgb;
}

export interface LinePlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  width?: number;
  /** Height of the plot part; the legend's rows are added below it. */
  height?: number;
  /** Axis ranges; both default to [0, 1] (an ROC plot). */
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  /** Dashed y = x line (chance level on an ROC plot). */
  diagonal?: boolean;
  /** Lines under the title, e.g. what the curves are averaged over. */
  subtitle?: string;
}

const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];

const LEGEND_LINE = 22;
const LEGEND_SWATCH = 22;
const LEGEND_PADDING = 8;

/** Legend layout below the plot: two columns when the labels fit, else one. */
function legendLayout(series: readonly LineSeries[], width: number): { columns: number; columnWidth: number; height: number } {
  if (series.length === 0) return { columns: 1, columnWidth: width, height: 0 };
  const entryWidth = LEGEND_SWATCH + LEGEND_PADDING + Math.max(...series.map((s) => textWidth(s.label))) + 2 * LEGEND_PADDING;
  const columns = series.length > 1 && entryWidth * 2 <= width - 40 ? 2 : 1;
  const rows = Math.ceil(series.length / columns);
  return { columns, columnWidth: entryWidth, height: rows * LEGEND_LINE + 2 * LEGEND_PADDING };
}

/** Renders a line plot to PNG bytes; the legend goes below the axes, so it never hides a curve. */
export function renderLinePlot(options: LinePlotOptions): Buffer {
  const width = options.width ?? 720;
  const legend = legendLayout(options.series, width);
  const height = (options.height ?? 640) + legend.height;
  const [xMin, xMax] = options.xRange ?? [0, 1];
  const [yMin, yMax] = options.yRange ?? [0, 1];
  const raster = new Raster(width, height);
  const plot = { left: 78, top: options.subtitle ? 72 : 46, right: width - 22, bottom: height - legend.height - 62 };
  const toX = (value: number) => plot.left + ((value - xMin) / (xMax - xMin)) * (plot.right - plot.left);
  const toY = (value: number) => plot.bottom - ((value - yMin) / (yMax - yMin)) * (plot.bottom - plot.top);

  raster.text(Math.max(4, (width - textWidth(options.title)) / 2), 12, options.title);
  if (options.subtitle) raster.text(Math.max(4, (width - textWidth(options.subtitle)) / 2), 38, options.subtitle, DIAGONAL);

  // Grid, ticks and tick labels.
  for (const tick of TICKS) {
    const x = toX(xMin + tick * (xMax - xMin));
    const y = toY(yMin + tick * (yMax - yMin));
    raster.line(x, plot.top, x, plot.bottom, GRID);
    raster.line(plot.left, y, plot.right, y, GRID);
    raster.line(x, plot.bottom, x, plot.bottom + 6, INK, 2);
    raster.line(plot.left - 6, y, plot.left, y, INK, 2);
    const xText = formatTick(xMin + tick * (xMax - xMin));
    const yText = formatTick(yMin + tick * (yMax - yMin));
    raster.text(x - textWidth(xText) / 2, plot.bottom + 12, xText);
    raster.text(plot.left - 10 - textWidth(yText), y - GLYPH_HEIGHT + 2, yText);
  }
  if (options.diagonal) raster.line(toX(xMin), toY(yMin), toX(xMax), toY(yMax), DIAGONAL, 2, [8, 6]);

  // Drawn last to first, so the first series (the legend's first entry) lies on top.
  [...options.series].reverse().forEach((series, reversedIndex) => {
    const index = options.series.length - 1 - reversedIndex;
    const colour = seriesColour(series, index);
    const points = Math.min(series.x.length, series.y.length);
    for (let i = 1; i < points; i++) {
      raster.line(toX(series.x[i - 1] as number), toY(series.y[i - 1] as number), toX(series.x[i] as number), toY(series.y[i] as number), colour, 2);
    }
  });

  // Axes last, so curves running along an edge do not hide them.
  raster.line(plot.left, plot.bottom, plot.right, plot.bottom, INK, 2);
  raster.line(plot.left, plot.top, plot.left, plot.bottom, INK, 2);
  raster.text((plot.left + plot.right - textWidth(options.xLabel)) / 2, plot.bottom + 34, options.xLabel);
  raster.text(8, (plot.top + plot.bottom + textWidth(options.yLabel)) / 2, options.yLabel, INK, 2, true);

  drawLegend(raster, options.series, legend, height - legend.height);
  return raster.toPng();
}

function seriesColour(series: LineSeries, index: number): Rgb {
  return series.colour ?? (SERIES_COLOURS[index % SERIES_COLOURS.length] as Rgb);
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Legend entries in rows below the plot, filled column by column, centred. */
function drawLegend(raster: Raster, series: readonly LineSeries[], layout: ReturnType<typeof legendLayout>, top: number): void {
  if (series.length === 0) return;
  const rows = Math.ceil(series.length / layout.columns);
  const left = Math.max(4, (raster.width - layout.columns * layout.columnWidth) / 2);
  series.forEach((entry, index) => {
    const x = left + Math.floor(index / rows) * layout.columnWidth + LEGEND_PADDING;
    const y = top + LEGEND_PADDING + (index % rows) * LEGEND_LINE;
    raster.fillRect(x, y + 6, LEGEND_SWATCH, 5, seriesColour(entry, index));
    raster.text(x + LEGEND_SWATCH + LEGEND_PADDING, y, entry.label);
  });
}
