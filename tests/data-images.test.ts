import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFileError } from '../src/main/data/errors';
import { decodeImage, imageFormatFromMagic, readImageFile, type RawImage } from '../src/main/data/image-readers';
import { encodeNpy } from '../src/main/data/npy';
import { encodeFits, encodeGreyJpeg, encodePng, encodeTiff } from './fixtures/data/image-encoders';

const scratch = mkdtempSync(path.join(tmpdir(), 'polaris-images-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function writeScratch(name: string, bytes: Uint8Array): string {
  const file = path.join(scratch, name);
  writeFileSync(file, bytes);
  return file;
}

async function expectFileError(promise: Promise<unknown>, file: string, reason: RegExp): Promise<DatasetFileError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DatasetFileError);
  const datasetError = error as DatasetFileError;
  expect(datasetError.file).toBe(file);
  expect(datasetError.reason).toMatch(reason);
  expect(datasetError.message).toBe(`${file}: ${datasetError.reason}`);
  return datasetError;
}

/** HWC ramp with distinct values per pixel and channel. */
function ramp(width: number, height: number, channels: number, scale: number, offset = 0): number[] {
  return Array.from({ length: width * height * channels }, (_, i) => offset + i * scale);
}

function expectImage(image: RawImage, expected: Omit<RawImage, 'data'> & { data: ArrayLike<number> }): void {
  expect({ width: image.width, height: image.height, channels: image.channels, bitDepth: image.bitDepth }).toEqual({
    width: expected.width,
    height: expected.height,
    channels: expected.channels,
    bitDepth: expected.bitDepth,
  });
  expect(Array.from(image.data)).toEqual(Array.from(expected.data, (v) => Math.fround(v)));
}

describe('PNG', () => {
  it('reads 8-bit grey and RGB exactly', async () => {
    const grey = ramp(5, 3, 1, 17);
    const rgb = ramp(4, 2, 3, 10);
    const greyFile = writeScratch('grey8.png', encodePng({ width: 5, height: 3, channels: 1, bitDepth: 8, data: grey }));
    const rgbFile = writeScratch('rgb8.PNG', encodePng({ width: 4, height: 2, channels: 3, bitDepth: 8, data: rgb }));
    expectImage(await readImageFile(greyFile), { width: 5, height: 3, channels: 1, bitDepth: 8, data: grey });
    expectImage(await readImageFile(rgbFile), { width: 4, height: 2, channels: 3, bitDepth: 8, data: rgb });
  });

  it('keeps 16-bit values (54321 stays 54321) for grey and RGB', async () => {
    const grey = [54321, 0, 65535, 1, 256, 4095];
    const rgb = ramp(2, 2, 3, 1000, 54321 - 11 * 1000);
    expectImage(await decodeImage(encodePng({ width: 3, height: 2, channels: 1, bitDepth: 16, data: grey }), 'g16.png'), {
      width: 3,
      height: 2,
      channels: 1,
      bitDepth: 16,
      data: grey,
    });
    const decoded = await decodeImage(encodePng({ width: 2, height: 2, channels: 3, bitDepth: 16, data: rgb }), 'c16.png');
    expectImage(decoded, { width: 2, height: 2, channels: 3, bitDepth: 16, data: rgb });
    expect(decoded.data[11]).toBe(54321);
  });

  it('drops alpha from grey+alpha and RGBA', async () => {
    const greyAlpha = [10, 255, 20, 0, 30, 128, 40, 7];
    expectImage(await decodeImage(encodePng({ width: 2, height: 2, channels: 2, bitDepth: 8, data: greyAlpha }), 'ga.png'), {
      width: 2,
      height: 2,
      channels: 1,
      bitDepth: 8,
      data: [10, 20, 30, 40],
    });
    const rgba = [1, 2, 3, 0, 4, 5, 6, 255];
    expectImage(await decodeImage(encodePng({ width: 2, height: 1, channels: 4, bitDepth: 8, data: rgba }), 'rgba.png'), {
      width: 2,
      height: 1,
      channels: 3,
      bitDepth: 8,
      data: [1, 2, 3, 4, 5, 6],
    });
  });

  it('names truncated and corrupt PNGs', async () => {
    const good = encodePng({ width: 16, height: 16, channels: 3, bitDepth: 8, data: ramp(16, 16, 3, 1).map((v) => v % 256) });
    const truncated = writeScratch('truncated.png', good.subarray(0, Math.floor(good.length / 2)));
    await expectFileError(readImageFile(truncated), truncated, /^truncated PNG/);
    const corrupt = Uint8Array.from(good);
    corrupt[40] = (corrupt[40] as number) ^ 0xff; // inside IDAT: the CRC no longer matches
    await expectFileError(decodeImage(corrupt, 'corrupt.png'), 'corrupt.png', /^corrupt PNG/);
    await expectFileError(decodeImage(good.subarray(0, 20), 'tiny.png'), 'tiny.png', /truncated PNG/);
  });
});

describe('JPEG', () => {
  it('keeps a greyscale JPEG as one channel, with exact flat blocks', async () => {
    const levels = [
      [0, 64],
      [200, 255],
    ];
    const bytes = encodeGreyJpeg(16, 16, (bx, by) => levels[by]?.[bx] ?? 0);
    const image = await readImageFile(writeScratch('grey.jpg', bytes));
    expect(image).toMatchObject({ width: 16, height: 16, channels: 1, bitDepth: 8 });
    const at = (x: number, y: number): number => image.data[y * 16 + x] as number;
    expect([at(0, 0), at(15, 0), at(0, 15), at(15, 15), at(7, 7), at(8, 8)]).toEqual([0, 64, 200, 255, 0, 255]);
  });

  it('reads an RGB JPEG as three channels close to the source', async () => {
    const width = 16;
    const height = 8;
    const rgba = new Uint8Array(width * height * 4);
    for (let p = 0; p < width * height; p++) rgba.set([200, 100, 30, 255], p * 4);
    const bytes = jpeg.encode({ width, height, data: rgba }, 95).data;
    const image = await decodeImage(bytes, 'colour.jpeg');
    expect(image).toMatchObject({ width, height, channels: 3, bitDepth: 8 });
    for (let p = 0; p < width * height; p++) {
      expect(Math.abs((image.data[p * 3] as number) - 200)).toBeLessThanOrEqual(3);
      expect(Math.abs((image.data[p * 3 + 1] as number) - 100)).toBeLessThanOrEqual(3);
      expect(Math.abs((image.data[p * 3 + 2] as number) - 30)).toBeLessThanOrEqual(3);
    }
  });

  it('names truncated and corrupt JPEGs', async () => {
    const bytes = encodeGreyJpeg(32, 32, (bx, by) => (bx * 40 + by * 20) % 256);
    const truncated = writeScratch('cut.jpg', bytes.subarray(0, bytes.length - 20));
    await expectFileError(readImageFile(truncated), truncated, /^truncated JPEG/);
    await expectFileError(decodeImage(bytes.subarray(0, 30), 'head.jpg'), 'head.jpg', /truncated JPEG/);
  });
});

describe('TIFF', () => {
  it('reads a 16-bit 6-band (Mastcam-like) TIFF exactly, chunky and planar, raw and deflate', async () => {
    const width = 5;
    const height = 4;
    const values = ramp(width, height, 6, 457, 54321 - 119 * 457 + 1).map((v) => Math.min(65535, Math.max(0, v)));
    values[7] = 54321;
    for (const [planar, compression, littleEndian] of [
      [false, 'none', true],
      [true, 'none', false],
      [false, 'deflate', true],
      [true, 'deflate', true],
    ] as const) {
      const bytes = encodeTiff({ width, height, samplesPerPixel: 6, bitsPerSample: 16, sampleFormat: 1, data: values, planar, compression, littleEndian });
      const image = await decodeImage(bytes, `six-${planar}-${compression}.tif`);
      expectImage(image, { width, height, channels: 6, bitDepth: 16, data: values });
      expect(image.data[7]).toBe(54321);
    }
  });

  it('reads 8-bit RGB, 32-bit float and signed 16-bit TIFFs', async () => {
    const rgb = ramp(3, 2, 3, 13);
    expectImage(await decodeImage(encodeTiff({ width: 3, height: 2, samplesPerPixel: 3, bitsPerSample: 8, sampleFormat: 1, data: rgb }), 'rgb.tiff'), {
      width: 3,
      height: 2,
      channels: 3,
      bitDepth: 8,
      data: rgb,
    });
    const floats = [-1.5, 0, 3.25, 1e6, -273.15, 0.001];
    expectImage(await decodeImage(encodeTiff({ width: 3, height: 2, samplesPerPixel: 1, bitsPerSample: 32, sampleFormat: 3, data: floats }), 'f.TIF'), {
      width: 3,
      height: 2,
      channels: 1,
      bitDepth: -32,
      data: floats,
    });
    const signed = [-32768, -1, 0, 32767];
    expectImage(await decodeImage(encodeTiff({ width: 2, height: 2, samplesPerPixel: 1, bitsPerSample: 16, sampleFormat: 2, data: signed }), 's.tif'), {
      width: 2,
      height: 2,
      channels: 1,
      bitDepth: 16,
      data: signed,
    });
  });

  it('drops an alpha band declared by ExtraSamples', async () => {
    const rgba = [1, 2, 3, 255, 4, 5, 6, 0];
    const bytes = encodeTiff({ width: 2, height: 1, samplesPerPixel: 4, bitsPerSample: 8, sampleFormat: 1, data: rgba, photometric: 2, extraSamples: [2] });
    expectImage(await decodeImage(bytes, 'rgba.tif'), { width: 2, height: 1, channels: 3, bitDepth: 8, data: [1, 2, 3, 4, 5, 6] });
  });

  it('rejects NaN pixels and names truncated TIFFs', async () => {
    const withNaN = encodeTiff({ width: 2, height: 2, samplesPerPixel: 1, bitsPerSample: 32, sampleFormat: 3, data: [1, NaN, NaN, 4] });
    await expectFileError(decodeImage(withNaN, 'nan.tif'), 'nan.tif', /2 of 4 pixel values are NaN or infinite/);
    const good = encodeTiff({ width: 8, height: 8, samplesPerPixel: 1, bitsPerSample: 16, sampleFormat: 1, data: ramp(8, 8, 1, 100) });
    const truncated = writeScratch('cut.tif', good.subarray(0, 100));
    await expectFileError(readImageFile(truncated), truncated, /corrupt or truncated TIFF/);
  });
});

describe('FITS', () => {
  it('applies BZERO to 16-bit data and flips rows to top-down', async () => {
    // Stored bottom row first: physical = stored + 32768, so unsigned 16-bit values survive.
    const physicalBottomUp = [54321, 0, 65535, 1000, 2000, 3000];
    const bytes = encodeFits({ bitpix: 16, axes: [3, 2], stored: physicalBottomUp.map((v) => v - 32768), extraCards: { BZERO: 32768, BSCALE: 1 } });
    const image = await readImageFile(writeScratch('u16.fits', bytes));
    expectImage(image, { width: 3, height: 2, channels: 1, bitDepth: 16, data: [1000, 2000, 3000, 54321, 0, 65535] });
  });

  it('reads float -32 data, BSCALE, 3-D cubes as channels, and IMAGE extensions', async () => {
    const floats = [0.5, -1.25, 3e5, 7];
    expectImage(await decodeImage(encodeFits({ bitpix: -32, axes: [2, 2], stored: floats }), 'f.fit'), {
      width: 2,
      height: 2,
      channels: 1,
      bitDepth: -32,
      data: [3e5, 7, 0.5, -1.25],
    });
    const scaled = await decodeImage(encodeFits({ bitpix: 16, axes: [2, 1], stored: [10, -4], extraCards: { BSCALE: 0.5, BZERO: 100 } }), 's.fts');
    expectImage(scaled, { width: 2, height: 1, channels: 1, bitDepth: -32, data: [105, 98] });
    // Two planes of 2×1: plane 0 = [1, 2], plane 1 = [10, 20] → interleaved [1, 10, 2, 20].
    expectImage(await decodeImage(encodeFits({ bitpix: 8, axes: [2, 1, 2], stored: [1, 2, 10, 20] }), 'cube.fits'), {
      width: 2,
      height: 1,
      channels: 2,
      bitDepth: 8,
      data: [1, 10, 2, 20],
    });
    expectImage(await decodeImage(encodeFits({ bitpix: 32, axes: [2, 1], stored: [-5, 123456], asExtension: true }), 'ext.fits'), {
      width: 2,
      height: 1,
      channels: 1,
      bitDepth: 32,
      data: [-5, 123456],
    });
  });

  it('rejects NaN and BLANK pixels with their count', async () => {
    const nan = encodeFits({ bitpix: -64, axes: [3, 1], stored: [1, NaN, NaN] });
    await expectFileError(decodeImage(nan, 'nan.fits'), 'nan.fits', /^2 of 3 pixel values are undefined/);
    const blank = encodeFits({ bitpix: 16, axes: [2, 2], stored: [-1, 5, -1, -1], extraCards: { BLANK: -1 } });
    await expectFileError(decodeImage(blank, 'blank.fits'), 'blank.fits', /^3 of 4 pixel values are undefined/);
  });

  it('names unsupported BITPIX, bad axes and truncation', async () => {
    await expectFileError(decodeImage(encodeFits({ bitpix: 24, axes: [2, 2], stored: [1, 2, 3, 4] }), 'b.fits'), 'b.fits', /^unsupported FITS BITPIX 24$/);
    await expectFileError(decodeImage(encodeFits({ bitpix: 8, axes: [4], stored: [1, 2, 3, 4] }), 'line.fits'), 'line.fits', /must have 2 or 3 axes/);
    const good = encodeFits({ bitpix: 16, axes: [40, 40], stored: ramp(40, 40, 1, 1) });
    await expectFileError(decodeImage(good.subarray(0, 2880 + 100), 'cut.fits'), 'cut.fits', /^truncated FITS data \(needs 3200 bytes, file has 100\)/);
    await expectFileError(decodeImage(good.subarray(0, 400), 'head.fits'), 'head.fits', /^truncated FITS header/);
  });
});

describe('npy images', () => {
  it('reads 2-D as one channel, H×W×C as is, and C×H×W (first dim ≤ 16, last > 16) transposed', async () => {
    const grey = Uint16Array.from([54321, 1, 2, 3, 4, 5]);
    expectImage(await decodeImage(encodeNpy({ shape: [2, 3], data: grey }), 'g.npy'), { width: 3, height: 2, channels: 1, bitDepth: 16, data: grey });

    const hwc = Float32Array.from(ramp(2, 2, 3, 0.5));
    expectImage(await decodeImage(encodeNpy({ shape: [2, 2, 3], data: hwc }), 'hwc.npy'), { width: 2, height: 2, channels: 3, bitDepth: -32, data: hwc });

    const chw = new Uint8Array(3 * 17 * 20);
    chw.forEach((_, i) => (chw[i] = i % 251));
    const image = await decodeImage(encodeNpy({ shape: [3, 17, 20], data: chw }), 'chw.npy');
    expect(image).toMatchObject({ width: 20, height: 17, channels: 3, bitDepth: 8 });
    const plane = 17 * 20;
    for (const [c, y, x] of [
      [0, 0, 0],
      [1, 5, 7],
      [2, 16, 19],
    ] as const) {
      expect(image.data[(y * 20 + x) * 3 + c]).toBe(chw[c * plane + y * 20 + x]);
    }
  });

  it('names bad shapes and truncated arrays', async () => {
    await expectFileError(decodeImage(encodeNpy({ shape: [4], data: new Float32Array(4) }), 'v.npy'), 'v.npy', /must be 2-D .* or 3-D/);
    const bytes = encodeNpy({ shape: [8, 8], data: new Float32Array(64) });
    await expectFileError(decodeImage(bytes.subarray(0, bytes.length - 8), 't.npy'), 't.npy', /^truncated \.npy data/);
    await expectFileError(decodeImage(encodeNpy({ shape: [2, 1], data: Float32Array.of(1, Infinity) }), 'inf.npy'), 'inf.npy', /1 of 2 pixel values are NaN or infinite/);
  });
});

describe('format dispatch', () => {
  it('checks magic bytes against the extension', async () => {
    const png = encodePng({ width: 1, height: 1, channels: 1, bitDepth: 8, data: [7] });
    expect(imageFormatFromMagic(png)).toBe('png');
    await expectFileError(decodeImage(png, 'photo.jpg'), 'photo.jpg', /^not a JPEG file \(the content is PNG\)$/);
    await expectFileError(decodeImage(new TextEncoder().encode('hello'), 'notes.fits'), 'notes.fits', /not a FITS file \(unrecognised content\)/);
    await expectFileError(decodeImage(new Uint8Array(0), 'empty.png'), 'empty.png', /^empty file$/);
  });

  it('rejects unknown formats and missing files', async () => {
    const gif = writeScratch('anim.gif', new TextEncoder().encode('GIF89a'));
    await expectFileError(readImageFile(gif), gif, /unsupported image format '\.gif'/);
    const missing = path.join(scratch, 'missing.png');
    await expectFileError(readImageFile(missing), missing, /cannot read file \(ENOENT\)/);
  });
});
