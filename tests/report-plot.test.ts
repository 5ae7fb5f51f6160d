import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { COMPARISON_MODELS, MODEL_LABELS } from '../src/ml/compare';
import { GLYPH_ADVANCE, glyphFor, hasGlyph } from '../src/main/report/bitmap-font';
import { Raster, renderLinePlot, type Rgb, SERIES_COLOURS, textWidth } from '../src/main/report/plot-png';

function countPixels(png: PNG, test: (r: number, g: number, b: number) => boolean): number {
  let count = 0;
  for (let i = 0; i < png.data.length; i += 4) if (test(png.data[i] as number, png.data[i + 1] as number, png.data[i + 2] as number)) count++;
  return count;
}

describe('ROC plot PNG', () => {
  const grid = Array.from({ length: 101 }, (_, i) => i / 100);
  const bytes = renderLinePlot({
    title: 'ROC: normal vs odd galaxies (classes 4, 5)',
    subtitle: 'galaxyzoo, mean TPR over 3 seeds',
    xLabel: 'False positive rate',
    yLabel: 'True positive rate',
    series: [
      { label: 'Comp.VAE + k-NN  0.812', x: grid, y: grid.map((x) => Math.sqrt(x)) },
      { label: 'Pixels + IF  0.500', x: grid, y: grid },
    ],
    diagonal: true,
    width: 640,
    height: 560,
  });

  it('decodes as a PNG of the requested size, with the legend rows added below the plot', () => {
    const png = PNG.sync.read(bytes);
    expect(png.width).toBe(640);
    // At 640 px these labels need one column: two legend lines of 22 px plus 8 px padding above and below.
    expect(png.height).toBe(560 + 2 * 22 + 2 * 8);
  });

  it('has ink (axes, text) and each series colour on a white background', () => {
    const png = PNG.sync.read(bytes);
    const total = png.width * png.height;
    const nonWhite = countPixels(png, (r, g, b) => r !== 255 || g !== 255 || b !== 255);
    expect(nonWhite).toBeGreaterThan(total * 0.01);
    expect(nonWhite).toBeLessThan(total * 0.5); // mostly background: a readable plot, not a smear
    const first = SERIES_COLOURS[0] as Rgb;
    const second = SERIES_COLOURS[1] as Rgb;
    expect(countPixels(png, (r, g, b) => r === first[0] && g === first[1] && b === first[2])).toBeGreaterThan(200);
    expect(countPixels(png, (r, g, b) => r === second[0] && g === second[1] && b === second[2])).toBeGreaterThan(200);
    expect(countPixels(png, (r, g, b) => r < 60 && g < 60 && b < 60)).toBeGreaterThan(1000); // axes and lettering
  });

  it('puts the first series on top where curves overlap', () => {
    const same = { x: grid, y: grid.map((x) => x * x) };
    const png = PNG.sync.read(renderLinePlot({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ label: 'top', ...same }, { label: 'under', ...same }] }));
    const colourCount = (colour: Rgb) => countPixels(png, (r, g, b) => r === colour[0] && g === colour[1] && b === colour[2]);
    const swatch = 22 * 5; // the legend's colour bar
    expect(colourCount(SERIES_COLOURS[0] as Rgb)).toBeGreaterThan(swatch + 300);
    expect(colourCount(SERIES_COLOURS[1] as Rgb)).toBeLessThanOrEqual(swatch);
  });
});

describe('bitmap font and raster', () => {
  it('has a glyph for every character of the method labels and report wording', () => {
    const text = [...COMPARISON_MODELS.map((m) => MODEL_LABELS[m]), 'k-NN KNN* IF MSE ± ↑↓ ROC: ID vs near-OOD (CIFAR-10 dog, truck) 0123456789 % / _ [ ] = ;'].join(' ');
    const missing = [...new Set(text)].filter((char) => !hasGlyph(char));
    expect(missing).toEqual([]);
  });

  it('draws glyph pixels where the font says and measures text by its advance', () => {
    const raster = new Raster(20, 12);
    raster.text(1, 1, 'I', [0, 0, 0], 1);
    const glyph = glyphFor('I');
    // Top row of "I" is ".###.": columns 1..3 of the glyph are ink.
    const inkAt = (x: number, y: number) => raster.data[(y * 20 + x) * 4] === 0;
    expect([0, 1, 2, 3, 4].map((x) => inkAt(1 + x, 1))).toEqual([...glyph.subarray(0, 5)].map((v) => v === 1));
    expect(textWidth('ab', 1)).toBe(2 * GLYPH_ADVANCE - 1);
    expect(textWidth('', 2)).toBe(0);
  });

  it('rejects an empty raster', () => {
    expect(() => new Raster(0, 10)).toThrow(RangeError);
  });
});
