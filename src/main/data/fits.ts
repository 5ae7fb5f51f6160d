/**
 * FITS image reader (primary HDU or the first IMAGE extension), written from the FITS 4.0 standard:
 * 2880-byte blocks, 80-character header cards, big-endian data, BITPIX 8/16/32/64/-32/-64,
 * BZERO/BSCALE applied, NAXIS 2 (one channel) or 3 (NAXIS3 planes become interleaved channels).
 *
 * Orientation: FITS stores the bottom row first (FITS viewers such as ds9 draw row 1 at the bottom),
 * so rows are flipped to give a top-down image that looks the way astronomers expect.
 *
 * Undefined pixels (NaN for float data, the BLANK value for integer data) make the file unusable
 * for the model, so the file is rejected, naming how many pixels are affected.
 */
import { DatasetFileError } from './errors';
import { checkImageSize, type RawImage } from './raw-image';

const BLOCK_SIZE = 2880;
const CARD_SIZE = 80;
const SUPPORTED_BITPIX = new Set([8, 16, 32, 64, -32, -64]);

export type FitsValue = string | number | boolean | null;

interface FitsHeader {
  cards: Map<string, FitsValue>;
  /** Byte offset where this HDU's data starts. */
  dataStart: number;
}

/** Parses one card's value field: 'string', T/F, integer or real (D exponents allowed); comments after '/' dropped. */
function parseCardValue(field: string): FitsValue {
  const text = field.trimStart();
  if (text.startsWith("'")) {
    let value = '';
    for (let i = 1; i < text.length; i++) {
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          value += "'";
          i++;
        } else break;
      } else value += text[i];
    }
    return value.trimEnd();
  }
  const token = (text.split('/')[0] ?? '').trim();
  if (token === 'T') return true;
  if (token === 'F') return false;
  if (token === '') return null;
  const number = Number(token.replace(/[dD]/, 'E'));
  return Number.isNaN(number) ? token : number;
}

function readHeader(bytes: Uint8Array, start: number, file: string): FitsHeader {
  const cards = new Map<string, FitsValue>();
  const decoder = new TextDecoder('latin1');
  for (let offset = start; ; offset += CARD_SIZE) {
    if (offset + CARD_SIZE > bytes.length) throw new DatasetFileError(file, 'truncated FITS header (no END card)');
    const card = decoder.decode(bytes.subarray(offset, offset + CARD_SIZE));
    const keyword = card.slice(0, 8).trimEnd();
    if (keyword === 'END') {
      const headerEnd = offset + CARD_SIZE;
      return { cards, dataStart: Math.ceil((headerEnd - start) / BLOCK_SIZE) * BLOCK_SIZE + start };
    }
    if (card.slice(8, 10) === '= ' && !cards.has(keyword)) cards.set(keyword, parseCardValue(card.slice(10)));
  }
}

function integerCard(header: FitsHeader, keyword: string, file: string, fallback?: number): number {
  const value = header.cards.get(keyword);
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new DatasetFileError(file, value === undefined ? `FITS header lacks ${keyword}` : `FITS ${keyword} is not an integer (${String(value)})`);
  }
  return value;
}

function numberCard(header: FitsHeader, keyword: string, fallback: number, file: string): number {
  const value = header.cards.get(keyword);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number') throw new DatasetFileError(file, `FITS ${keyword} is not a number (${String(value)})`);
  return value;
}

interface HduLayout {
  bitpix: number;
  axes: number[];
  /** Size of the data unit in bytes, without block padding. */
  dataBytes: number;
}

function layoutOf(header: FitsHeader, file: string): HduLayout {
  const bitpix = integerCard(header, 'BITPIX', file);
  const naxis = integerCard(header, 'NAXIS', file);
  if (naxis < 0 || naxis > 999) throw new DatasetFileError(file, `invalid FITS NAXIS ${naxis}`);
  const axes = Array.from({ length: naxis }, (_, i) => integerCard(header, `NAXIS${i + 1}`, file));
  if (axes.some((length) => length < 0)) throw new DatasetFileError(file, `negative FITS axis length in (${axes.join(', ')})`);
  // Tables carry a heap (PCOUNT) and groups (GCOUNT); both are 0/1 for images.
  const pcount = integerCard(header, 'PCOUNT', file, 0);
  const gcount = integerCard(header, 'GCOUNT', file, 1);
  const elements = naxis === 0 ? 0 : axes.reduce((product, length) => product * length, 1);
  return { bitpix, axes, dataBytes: (Math.abs(bitpix) / 8) * gcount * (pcount + elements) };
}

/** Finds the first HDU that holds image data: the primary one, else the first IMAGE extension. */
function findImageHdu(bytes: Uint8Array, file: string): { header: FitsHeader; layout: HduLayout } {
  const primary = readHeader(bytes, 0, file);
  if (primary.cards.get('SIMPLE') !== true) throw new DatasetFileError(file, 'not a standard FITS file (SIMPLE is not T)');
  const primaryLayout = layoutOf(primary, file);
  if (primaryLayout.dataBytes > 0) return { header: primary, layout: primaryLayout };

  let sawCompressedImage = false;
  let offset = primary.dataStart;
  while (offset + CARD_SIZE <= bytes.length) {
    const header = readHeader(bytes, offset, file);
    const layout = layoutOf(header, file);
    const extension = header.cards.get('XTENSION');
    if (extension === 'IMAGE' && layout.dataBytes > 0) return { header, layout };
    if (header.cards.get('ZIMAGE') === true) sawCompressedImage = true;
    offset = header.dataStart + Math.ceil(layout.dataBytes / BLOCK_SIZE) * BLOCK_SIZE;
  }
  if (sawCompressedImage) throw new DatasetFileError(file, 'tile-compressed FITS images (fpack, ZIMAGE) are not supported; uncompress with funpack');
  throw new DatasetFileError(file, 'FITS file has no image data (empty primary HDU and no IMAGE extension)');
}

/** Decodes a FITS file's first image into a top-down, channel-interleaved RawImage. */
export function readFits(bytes: Uint8Array, file: string): RawImage {
  if (new TextDecoder('latin1').decode(bytes.subarray(0, 9)) !== 'SIMPLE  =') {
    throw new DatasetFileError(file, 'not a FITS file (does not start with SIMPLE  =)');
  }
  const { header, layout } = findImageHdu(bytes, file);
  const { bitpix, axes } = layout;
  if (!SUPPORTED_BITPIX.has(bitpix)) throw new DatasetFileError(file, `unsupported FITS BITPIX ${bitpix}`);

  // Trailing axes of length 1 (e.g. a degenerate Stokes or frequency axis) carry no information.
  const meaningfulAxes = [...axes];
  while (meaningfulAxes.length > 2 && meaningfulAxes[meaningfulAxes.length - 1] === 1) meaningfulAxes.pop();
  if (meaningfulAxes.length < 2 || meaningfulAxes.length > 3) {
    throw new DatasetFileError(file, `FITS image must have 2 or 3 axes (NAXIS = ${axes.length}, axes ${axes.join('×')})`);
  }
  const [width = 0, height = 0, channels = 1] = meaningfulAxes;
  checkImageSize(file, width, height, channels);

  const dataStart = header.dataStart;
  const bytesPerValue = Math.abs(bitpix) / 8;
  const valueCount = width * height * channels;
  const needed = valueCount * bytesPerValue;
  if (dataStart + needed > bytes.length) {
    throw new DatasetFileError(file, `truncated FITS data (needs ${needed} bytes, file has ${Math.max(0, bytes.length - dataStart)})`);
  }

  const bscale = numberCard(header, 'BSCALE', 1, file);
  const bzero = numberCard(header, 'BZERO', 0, file);
  const blankValue = header.cards.get('BLANK');
  const blank = bitpix > 0 && typeof blankValue === 'number' ? blankValue : null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataStart, needed);
  const readRaw = rawReader(view, bitpix);

  const data = new Float32Array(valueCount);
  let undefinedPixels = 0;
  const planeSize = width * height;
  for (let channel = 0; channel < channels; channel++) {
    for (let fitsRow = 0; fitsRow < height; fitsRow++) {
      const outRow = height - 1 - fitsRow;
      for (let x = 0; x < width; x++) {
        const raw = readRaw(channel * planeSize + fitsRow * width + x);
        const value = raw === blank ? NaN : bzero + bscale * raw;
        if (!Number.isFinite(value)) undefinedPixels++;
        data[(outRow * width + x) * channels + channel] = value;
      }
    }
  }
  if (undefinedPixels > 0) {
    throw new DatasetFileError(
      file,
      `${undefinedPixels} of ${valueCount} pixel values are undefined (NaN, infinite or BLANK); the model needs finite values, so fill or crop them first`,
    );
  }

  // With the standard unsigned offsets (BZERO = 2^(BITPIX-1)) or no scaling, values stay integers of the stored width;
  // any other scaling produces real numbers.
  const integerScaling = bscale === 1 && (bzero === 0 || (bitpix > 0 && bzero === 2 ** (bitpix - 1)));
  const bitDepth = bitpix > 0 && !integerScaling ? -32 : bitpix;
  return { width, height, channels, bitDepth, data };
}

function rawReader(view: DataView, bitpix: number): (index: number) => number {
  switch (bitpix) {
    case 8:
      return (i) => view.getUint8(i);
    case 16:
      return (i) => view.getInt16(i * 2, false);
    case 32:
      return (i) => view.getInt32(i * 4, false);
    case 64:
      return (i) => Number(view.getBigInt64(i * 8, false));
    case -32:
      return (i) => view.getFloat32(i * 4, false);
    case -64:
      return (i) => view.getFloat64(i * 8, false);
    default:
      throw new RangeError(`unsupported BITPIX ${bitpix}`);
  }
}
