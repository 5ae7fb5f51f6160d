/**
 * Decoders for every image format Polaris reads, each turning file bytes into a RawImage in native
 * units, plus readImageFile, which picks the decoder from the extension and checks the magic bytes.
 * Every failure is a DatasetFileError naming the file and what is wrong with it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fromArrayBuffer } from 'geotiff';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DatasetFileError, describeError } from './errors';
import { readFits } from './fits';
import { parseNpy } from './npy';
import { checkImageSize, countNonFinite, type RawImage } from './raw-image';

export type { RawImage } from './raw-image';

export type ImageFormat = 'png' | 'jpeg' | 'tiff' | 'fits' | 'npy';

const FORMAT_LABELS: Record<ImageFormat, string> = { png: 'PNG', jpeg: 'JPEG', tiff: 'TIFF', fits: 'FITS', npy: 'NumPy .npy' };

const EXTENSION_FORMATS: Record<string, ImageFormat> = {
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.tif': 'tiff',
  '.tiff': 'tiff',
  '.fits': 'fits',
  '.fit': 'fits',
  '.fts': 'fits',
  '.npy': 'npy',
};

/** Lower-case extensions (with the dot) that readImageFile accepts. */
export const SUPPORTED_IMAGE_EXTENSIONS: readonly string[] = Object.keys(EXTENSION_FORMATS);

/** The format implied by a file name's extension (case-insensitive), or null if it is not an image format we read. */
export function imageFormatFromName(file: string): ImageFormat | null {
  return EXTENSION_FORMATS[path.extname(file).toLowerCase()] ?? null;
}

function startsWithBytes(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((value, i) => bytes[i] === value);
}

/** The format the content itself announces through its magic bytes, or null. */
export function imageFormatFromMagic(bytes: Uint8Array): ImageFormat | null {
  if (startsWithBytes(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWithBytes(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (
    startsWithBytes(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWithBytes(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWithBytes(bytes, [0x49, 0x49, 0x2b, 0x00]) || // BigTIFF
    startsWithBytes(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  ) {
    return 'tiff';
  }
  if (startsWithBytes(bytes, [...'SIMPLE  ='].map((c) => c.charCodeAt(0)))) return 'fits';
  if (startsWithBytes(bytes, [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59])) return 'npy';
  return null;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---------------------------------------------------------------- PNG

const PNG_IEND = [0x49, 0x45, 0x4e, 0x44];

function containsBytes(bytes: Uint8Array, needle: readonly number[]): boolean {
  outer: for (let i = bytes.length - needle.length; i >= 0; i--) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** PNG via pngjs: 1–16 bit grey, grey+alpha, RGB, RGBA and palette. Alpha is dropped; 16-bit values are kept. */
export function readPng(bytes: Uint8Array, file: string): RawImage {
  if (bytes.length < 33) throw new DatasetFileError(file, 'truncated PNG (no complete header)');
  const header = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Check the IHDR size before pngjs allocates RGBA for it.
  checkImageSize(file, header.getUint32(16), header.getUint32(20), 1);

  let png: ReturnType<typeof PNG.sync.read>;
  try {
    png = PNG.sync.read(asBuffer(bytes), { skipRescale: true });
  } catch (error) {
    // pngjs's messages for a cut-off file are cryptic; a missing IEND chunk says it plainly.
    const reason = containsBytes(bytes, PNG_IEND) ? `corrupt PNG (${describeError(error)})` : 'truncated PNG (unexpected end of data)';
    throw new DatasetFileError(file, reason, { cause: error });
  }
  const { width, height, depth, colorType } = png;
  const channels = png.color ? 3 : 1;
  checkImageSize(file, width, height, channels);
  // pngjs always hands back RGBA (Uint16Array for 16-bit); grey is replicated into R, G and B.
  const rgba: ArrayLike<number> = png.data;
  // Palette images arrive as 8-bit RGB; 1/2/4-bit grey keeps raw levels with skipRescale, so scale those to 0..255.
  const isPalette = (colorType as number) === 3;
  const subByteScale = !isPalette && depth < 8 ? 255 / (2 ** depth - 1) : 1;
  const bitDepth = depth === 16 && !isPalette ? 16 : 8;

  const data = new Float32Array(width * height * channels);
  for (let pixel = 0, out = 0; pixel < width * height; pixel++) {
    for (let c = 0; c < channels; c++) data[out++] = (rgba[pixel * 4 + c] as number) * subByteScale;
  }
  return { width, height, channels, bitDepth, data };
}

// ---------------------------------------------------------------- JPEG

interface JpegFrame {
  components: number;
  precision: number;
  width: number;
  height: number;
}

/** Walks the marker segments to the frame header (SOFn), which says how many colour components there are. */
function readJpegFrame(bytes: Uint8Array, file: string): JpegFrame {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw new DatasetFileError(file, `corrupt JPEG (expected a marker at byte ${offset})`);
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length field
      continue;
    }
    const segmentLength = view.getUint16(offset + 2);
    const isFrameHeader = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrameHeader) {
      if (offset + 10 > bytes.length) break;
      return {
        precision: bytes[offset + 4] as number,
        height: view.getUint16(offset + 5),
        width: view.getUint16(offset + 7),
        components: bytes[offset + 9] as number,
      };
    }
    if (marker === 0xda || marker === 0xd9) throw new DatasetFileError(file, 'corrupt JPEG (image data before the frame header)');
    offset += 2 + segmentLength;
  }
  throw new DatasetFileError(file, 'truncated JPEG (no frame header)');
}

/** Whether an end-of-image marker (FFD9) is present near the end; some writers append a few bytes after it. */
function hasJpegEnd(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= Math.max(2, bytes.length - 4096); i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

/** Baseline and progressive JPEG via jpeg-js. A one-component (greyscale) JPEG stays one channel. */
export function readJpeg(bytes: Uint8Array, file: string): RawImage {
  const frame = readJpegFrame(bytes, file);
  if (frame.precision !== 8) throw new DatasetFileError(file, `unsupported JPEG sample precision ${frame.precision} bits (only 8-bit JPEG)`);
  const channels = frame.components === 1 ? 1 : 3;
  checkImageSize(file, frame.width, frame.height, channels);
  if (!hasJpegEnd(bytes)) throw new DatasetFileError(file, 'truncated JPEG (no end-of-image marker)');

  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: 250,
      maxMemoryUsageInMB: 2048,
    });
  } catch (error) {
    throw new DatasetFileError(file, `corrupt JPEG (${describeError(error)})`, { cause: error });
  }
  const { width, height } = decoded;
  const data = new Float32Array(width * height * channels);
  // jpeg-js returns RGB triplets; a greyscale JPEG has R = G = B, so keep one of them.
  for (let pixel = 0, out = 0; pixel < width * height; pixel++) {
    for (let c = 0; c < channels; c++) data[out++] = decoded.data[pixel * 3 + c] as number;
  }
  return { width, height, channels, bitDepth: 8, data };
}

// ---------------------------------------------------------------- TIFF

const PHOTOMETRIC_WHITE_IS_ZERO = 0;
const PHOTOMETRIC_RGB = 2;
/** Palette, CMYK, YCbCr, CIELab: geotiff converts these to 8-bit RGB. */
const PHOTOMETRIC_NEEDS_RGB_CONVERSION = new Set([3, 5, 6, 8]);
const EXTRA_SAMPLE_ASSOCIATED_ALPHA = 1;
const EXTRA_SAMPLE_UNASSOCIATED_ALPHA = 2;
const SAMPLE_FORMAT_FLOAT = 3;

function numberList(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>).filter((v): v is number => typeof v === 'number');
  return [];
}

/**
 * TIFF via geotiff: 8/16/32-bit integer and 32/64-bit float samples, any number of bands (multispectral
 * stacks stay N channels), chunky or planar, every compression geotiff supports. Multi-page: first page.
 * Alpha bands (ExtraSamples = alpha) are dropped. Async because geotiff decodes asynchronously.
 */
export async function readTiff(bytes: Uint8Array, file: string): Promise<RawImage> {
  try {
    const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const tiff = await fromArrayBuffer(arrayBuffer);
    const image = await tiff.getImage(0);
    const width = image.getWidth();
    const height = image.getHeight();
    const samplesPerPixel = image.getSamplesPerPixel();
    const directory = image.fileDirectory as Record<string, unknown>;
    const bitsPerSample = numberList(directory.BitsPerSample);
    const sampleFormats = numberList(directory.SampleFormat);
    const photometric = numberList(directory.PhotometricInterpretation)[0] ?? 1;
    const extraSamples = numberList(directory.ExtraSamples);
    checkImageSize(file, width, height, samplesPerPixel);

    if (PHOTOMETRIC_NEEDS_RGB_CONVERSION.has(photometric)) {
      const rgb = (await image.readRGB({ interleave: true })) as unknown as ArrayLike<number>;
      return { width, height, channels: 3, bitDepth: 8, data: Float32Array.from(rgb) };
    }

    const colourSamples = photometric === PHOTOMETRIC_RGB ? 3 : 1;
    const keptSamples: number[] = [];
    for (let sample = 0; sample < samplesPerPixel; sample++) {
      const extraType = sample >= colourSamples ? extraSamples[sample - colourSamples] : undefined;
      const isAlpha = extraType === EXTRA_SAMPLE_ASSOCIATED_ALPHA || extraType === EXTRA_SAMPLE_UNASSOCIATED_ALPHA;
      if (!isAlpha) keptSamples.push(sample);
    }
    const keptBits = new Set(keptSamples.map((s) => bitsPerSample[s] ?? bitsPerSample[0] ?? 8));
    const keptFormats = new Set(keptSamples.map((s) => sampleFormats[s] ?? sampleFormats[0] ?? 1));
    if (keptBits.size > 1 || keptFormats.size > 1) {
      throw new DatasetFileError(file, `TIFF bands have different sample types (bits ${[...keptBits].join('/')}, formats ${[...keptFormats].join('/')})`);
    }
    const bits = [...keptBits][0] ?? 8;
    const isFloat = [...keptFormats][0] === SAMPLE_FORMAT_FLOAT;

    const raster = (await image.readRasters({ interleave: true, samples: keptSamples })) as unknown as ArrayLike<number>;
    const data = Float32Array.from(raster);
    if (photometric === PHOTOMETRIC_WHITE_IS_ZERO && !isFloat) {
      // 0 means white here; flip so that larger values are brighter, as everywhere else.
      const maximum = 2 ** bits - 1;
      for (let i = 0; i < data.length; i++) data[i] = maximum - (data[i] as number);
    }
    const bitDepth = isFloat ? (bits > 32 ? -64 : -32) : bits;
    return { width, height, channels: keptSamples.length, bitDepth, data };
  } catch (error) {
    if (error instanceof DatasetFileError) throw error;
    throw new DatasetFileError(file, `corrupt or truncated TIFF (${describeError(error)})`, { cause: error });
  }
}

// ---------------------------------------------------------------- NumPy

/** The largest leading dimension that is taken as a channel axis (C×H×W) rather than as image rows. */
export const NPY_MAX_LEADING_CHANNELS = 16;

function npyBitDepth(dtype: string): number {
  switch (dtype) {
    case 'uint8':
      return 8;
    case 'uint16':
    case 'int16':
    case 'int8': // signed, so not the 0..255 range that bitDepth 8 promises
      return 16;
    case 'uint32':
    case 'int32':
      return 32;
    case 'int64':
    case 'uint64':
      return 64;
    case 'float64':
      return -64;
    default:
      return -32; // float16, float32, bool
  }
}

/**
 * A .npy array as an image. 2-D (H×W) is one channel. 3-D is H×W×C, except that a first dimension
 * of at most 16 with a last dimension above 16 is read as C×H×W (PyTorch layout), e.g. (3, 64, 64)
 * or (6, 128, 128); (64, 64, 3) and ambiguous shapes such as (8, 8, 8) are H×W×C.
 */
export function readNpyImage(bytes: Uint8Array, file: string): RawImage {
  const array = parseNpy(bytes, file);
  const { shape } = array;
  let height: number;
  let width: number;
  let channels: number;
  let channelsFirst = false;
  if (shape.length === 2) {
    [height, width, channels] = [shape[0] as number, shape[1] as number, 1];
  } else if (shape.length === 3) {
    const [first, second, third] = shape as [number, number, number];
    channelsFirst = first <= NPY_MAX_LEADING_CHANNELS && third > NPY_MAX_LEADING_CHANNELS;
    [height, width, channels] = channelsFirst ? [second, third, first] : [first, second, third];
  } else {
    throw new DatasetFileError(file, `.npy image must be 2-D (H×W) or 3-D (H×W×C or C×H×W), got shape (${shape.join(', ')})`);
  }
  checkImageSize(file, width, height, channels);

  const source = array.data;
  let data: Float32Array;
  if (channelsFirst) {
    data = new Float32Array(source.length);
    const plane = width * height;
    for (let c = 0; c < channels; c++) {
      for (let i = 0; i < plane; i++) data[i * channels + c] = source[c * plane + i] as number;
    }
  } else {
    data = Float32Array.from(source);
  }
  return { width, height, channels, bitDepth: npyBitDepth(array.dtype), data };
}

// ---------------------------------------------------------------- dispatch

/**
 * Decodes image bytes; `file` names the file in errors and its extension chooses the decoder.
 * The content must carry the matching magic bytes, and the result must be finite everywhere.
 */
export async function decodeImage(bytes: Uint8Array, file: string): Promise<RawImage> {
  const format = imageFormatFromName(file);
  if (format === null) {
    throw new DatasetFileError(file, `unsupported image format '${path.extname(file) || '(no extension)'}' (supported: ${SUPPORTED_IMAGE_EXTENSIONS.join(' ')})`);
  }
  if (bytes.length === 0) throw new DatasetFileError(file, 'empty file');
  const contentFormat = imageFormatFromMagic(bytes);
  if (contentFormat !== format) {
    const actual = contentFormat === null ? 'unrecognised content' : `the content is ${FORMAT_LABELS[contentFormat]}`;
    throw new DatasetFileError(file, `not a ${FORMAT_LABELS[format]} file (${actual})`);
  }

  let image: RawImage;
  switch (format) {
    case 'png':
      image = readPng(bytes, file);
      break;
    case 'jpeg':
      image = readJpeg(bytes, file);
      break;
    case 'tiff':
      image = await readTiff(bytes, file);
      break;
    case 'fits':
      image = readFits(bytes, file);
      break;
    case 'npy':
      image = readNpyImage(bytes, file);
      break;
  }

  if (image.data.length !== image.width * image.height * image.channels) {
    throw new DatasetFileError(file, `decoder returned ${image.data.length} values for ${image.width}×${image.height}×${image.channels}`);
  }
  const nonFinite = countNonFinite(image.data);
  if (nonFinite > 0) {
    throw new DatasetFileError(file, `${nonFinite} of ${image.data.length} pixel values are NaN or infinite; the model needs finite values`);
  }
  return image;
}

/** Reads and decodes one image file (see decodeImage). */
export async function readImageFile(file: string): Promise<RawImage> {
  if (imageFormatFromName(file) === null) return decodeImage(new Uint8Array(0), file); // reports the unsupported extension without reading
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DatasetFileError(file, `cannot read file (${code ?? describeError(error)})`, { cause: error });
  }
  return decodeImage(bytes, file);
}
