/**
 * NumPy .npy (format versions 1, 2 and 3) and .npz reading and writing.
 *
 * Supported dtypes: float16/32/64, int8/16/32/64, uint8/16/32/64 and bool, either byte order.
 * int64 and uint64 are returned as Float64Array (exact up to 2^53, which covers labels and counts),
 * float16 as Float32Array, bool as Uint8Array of 0/1. Arrays must be C-ordered; structured and
 * object dtypes are rejected. Every error is a DatasetFileError naming the file and the problem.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DatasetFileError, describeError } from './errors';
import { buildStoredZip, readZipMembers } from './zip';

export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/** Typed arrays that encodeNpy can write (each maps to one dtype). */
export type EncodableArray = NumericArray;

export interface NdArray {
  /** NumPy's dtype name of the stored data: 'float32', 'int64', 'bool', ... (int64 data comes back as Float64Array). */
  dtype: string;
  /** Dimensions in C order; [] for a scalar. */
  shape: number[];
  /** The values in C (row-major) order; length = product of shape. */
  data: NumericArray;
}

interface DtypeInfo {
  name: string;
  itemSize: number;
  /** Converts native-endian bytes (a fresh, aligned buffer) into the output array. */
  decode: (buffer: ArrayBuffer, count: number) => NumericArray;
}

const DTYPES: Record<string, DtypeInfo> = {
  f2: { name: 'float16', itemSize: 2, decode: (b, n) => float16ToFloat32(new Uint16Array(b, 0, n)) },
  f4: { name: 'float32', itemSize: 4, decode: (b, n) => new Float32Array(b, 0, n) },
  f8: { name: 'float64', itemSize: 8, decode: (b, n) => new Float64Array(b, 0, n) },
  i1: { name: 'int8', itemSize: 1, decode: (b, n) => new Int8Array(b, 0, n) },
  i2: { name: 'int16', itemSize: 2, decode: (b, n) => new Int16Array(b, 0, n) },
  i4: { name: 'int32', itemSize: 4, decode: (b, n) => new Int32Array(b, 0, n) },
  i8: { name: 'int64', itemSize: 8, decode: (b, n) => Float64Array.from(new BigInt64Array(b, 0, n), Number) },
  u1: { name: 'uint8', itemSize: 1, decode: (b, n) => new Uint8Array(b, 0, n) },
  u2: { name: 'uint16', itemSize: 2, decode: (b, n) => new Uint16Array(b, 0, n) },
  u4: { name: 'uint32', itemSize: 4, decode: (b, n) => new Uint32Array(b, 0, n) },
  u8: { name: 'uint64', itemSize: 8, decode: (b, n) => Float64Array.from(new BigUint64Array(b, 0, n), Number) },
  b1: { name: 'bool', itemSize: 1, decode: (b, n) => new Uint8Array(b, 0, n).map((v) => (v === 0 ? 0 : 1)) },
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function float16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i] as number;
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 0x1f) out[i] = fraction === 0 ? sign * Infinity : NaN;
    else out[i] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}

function swapBytesInPlace(bytes: Uint8Array, itemSize: number): void {
  if (itemSize === 1) return;
  for (let start = 0; start + itemSize <= bytes.length; start += itemSize) {
    for (let a = start, b = start + itemSize - 1; a < b; a++, b--) {
      const tmp = bytes[a] as number;
      bytes[a] = bytes[b] as number;
      bytes[b] = tmp;
    }
  }
}

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

/** Reads the three keys of the header's Python dict literal; anything else in it is ignored. */
function parseHeaderDict(text: string, file: string): NpyHeader {
  if (/['"]descr['"]\s*:\s*\[/.test(text)) throw new DatasetFileError(file, 'structured (record) dtypes are not supported in .npy files');
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new DatasetFileError(file, `malformed .npy header (expected descr, fortran_order and shape): ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  const shape = shapeText
    .split(',')
    .map((part) => part.trim().replace(/L$/, '')) // Python 2 wrote long integers as 3L
    .filter((part) => part.length > 0)
    .map((part) => {
      if (!/^\d+$/.test(part)) throw new DatasetFileError(file, `malformed .npy header (shape entry ${JSON.stringify(part)} is not a non-negative integer)`);
      return Number(part);
    });
  return { descr, fortranOrder: fortran === 'True', shape };
}

function resolveDtype(descr: string, file: string): { info: DtypeInfo; littleEndian: boolean } {
  const match = /^([<>|=]?)([a-zA-Z]\d+)$/.exec(descr);
  const info = match ? DTYPES[match[2] as string] : undefined;
  if (!match || !info) {
    throw new DatasetFileError(file, `unknown or unsupported .npy dtype '${descr}' (supported: float16/32/64, int8..int64, uint8..uint64, bool)`);
  }
  const order = match[1];
  return { info, littleEndian: order === '>' ? false : order === '=' ? HOST_IS_LITTLE_ENDIAN : true };
}

/** Parses the bytes of a .npy file. `name` (the file path, usually) is used in error messages. */
export function parseNpy(bytes: Uint8Array, name = '<npy data>'): NdArray {
  if (bytes.length < 10) throw new DatasetFileError(name, `truncated .npy header (file has only ${bytes.length} bytes)`);
  if (!MAGIC.every((value, i) => bytes[i] === value)) throw new DatasetFileError(name, 'not a .npy file (missing \\x93NUMPY magic)');
  const major = bytes[6] as number;
  const minor = bytes[7] as number;
  if (major < 1 || major > 3) throw new DatasetFileError(name, `unsupported .npy format version ${major}.${minor}`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthFieldSize = major === 1 ? 2 : 4;
  const preludeSize = 8 + lengthFieldSize;
  if (bytes.length < preludeSize) throw new DatasetFileError(name, 'truncated .npy header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = preludeSize + headerLength;
  if (dataStart > bytes.length) {
    throw new DatasetFileError(name, `truncated .npy header (header declares ${headerLength} bytes, file has ${bytes.length - preludeSize})`);
  }
  const headerText = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(preludeSize, dataStart));
  const header = parseHeaderDict(headerText, name);
  const { info, littleEndian } = resolveDtype(header.descr, name);

  // Fortran order only differs from C order when more than one dimension is longer than 1.
  if (header.fortranOrder && header.shape.filter((dim) => dim > 1).length > 1) {
    throw new DatasetFileError(name, `fortran_order (column-major) arrays are not supported; save with np.ascontiguousarray (shape ${formatShape(header.shape)})`);
  }

  const count = header.shape.reduce((product, dim) => product * dim, 1);
  const expectedBytes = count * info.itemSize;
  const availableBytes = bytes.length - dataStart;
  if (availableBytes !== expectedBytes) {
    const problem = availableBytes < expectedBytes ? 'truncated .npy data' : '.npy data length mismatch';
    throw new DatasetFileError(name, `${problem}: shape ${formatShape(header.shape)} of ${info.name} needs ${expectedBytes} bytes, file has ${availableBytes}`);
  }

  // Copy into a fresh buffer: the input may be unaligned (a slice of a zip member or a pooled Buffer).
  // (Not bytes.slice: on a Node Buffer that is a view, not a copy.)
  const copy = new Uint8Array(expectedBytes);
  copy.set(bytes.subarray(dataStart, dataStart + expectedBytes));
  if (littleEndian !== HOST_IS_LITTLE_ENDIAN) swapBytesInPlace(copy, info.itemSize);
  return { dtype: info.name, shape: header.shape, data: info.decode(copy.buffer, count) };
}

function formatShape(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

function descrFor(data: EncodableArray): string {
  const endian = HOST_IS_LITTLE_ENDIAN ? '<' : '>';
  if (data instanceof Float32Array) return `${endian}f4`;
  if (data instanceof Float64Array) return `${endian}f8`;
  if (data instanceof Int8Array) return '|i1';
  if (data instanceof Int16Array) return `${endian}i2`;
  if (data instanceof Int32Array) return `${endian}i4`;
  if (data instanceof Uint8Array) return '|u1';
  if (data instanceof Uint16Array) return `${endian}u2`;
  if (data instanceof Uint32Array) return `${endian}u4`;
  throw new TypeError('encodeNpy: unsupported typed array');
}

/** Encodes an array as a .npy file (format 1.0, or 2.0 for very long headers), in the host's byte order. */
export function encodeNpy(array: { shape: readonly number[]; data: EncodableArray }): Uint8Array {
  const { shape, data } = array;
  if (!shape.every((dim) => Number.isInteger(dim) && dim >= 0)) throw new RangeError(`encodeNpy: invalid shape [${shape.join(', ')}]`);
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (count !== data.length) throw new RangeError(`encodeNpy: shape ${formatShape(shape)} needs ${count} values, data has ${data.length}`);

  const dict = `{'descr': '${descrFor(data)}', 'fortran_order': False, 'shape': ${formatShape(shape)}, }`;
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary, as NumPy does.
  const version = dict.length + 1 + 10 > 0xffff ? 2 : 1;
  const preludeSize = version === 1 ? 10 : 12;
  const headerLength = Math.ceil((preludeSize + dict.length + 1) / 64) * 64 - preludeSize;
  const header = dict.padEnd(headerLength - 1, ' ') + '\n';

  const out = new Uint8Array(preludeSize + headerLength + data.byteLength);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  for (let i = 0; i < header.length; i++) out[preludeSize + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), preludeSize + headerLength);
  return out;
}

function readWholeFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DatasetFileError(path, `cannot read file (${describeError(error)})`, { cause: error });
  }
}

/** Writes through a temporary file and a rename, so a crash never leaves a half-written array behind. */
function writeWholeFile(path: string, bytes: Uint8Array): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

export function readNpyFile(path: string): NdArray {
  return parseNpy(readWholeFile(path), path);
}

export function writeNpyFile(path: string, array: { shape: readonly number[]; data: EncodableArray }): void {
  writeWholeFile(path, encodeNpy(array));
}

/** Parses an .npz archive (as np.savez / np.savez_compressed write it); keys are member names without '.npy'. */
export function parseNpz(bytes: Uint8Array, name = '<npz data>'): Record<string, NdArray> {
  const arrays = Object.create(null) as Record<string, NdArray>;
  let found = 0;
  for (const member of readZipMembers(bytes, name)) {
    if (!member.name.endsWith('.npy')) continue; // np.load also treats other members as opaque; we have no use for them
    try {
      arrays[member.name.slice(0, -'.npy'.length)] = parseNpy(member.data, name);
    } catch (error) {
      if (error instanceof DatasetFileError) throw new DatasetFileError(name, `member ${member.name}: ${error.reason}`, { cause: error });
      throw error;
    }
    found++;
  }
  if (found === 0) throw new DatasetFileError(name, 'the archive contains no .npy arrays');
  return arrays;
}

export function readNpzFile(path: string): Record<string, NdArray> {
  return parseNpz(readWholeFile(path), path);
}

/** Encodes named arrays as an uncompressed .npz archive that np.load reads. */
export function encodeNpz(arrays: Record<string, { shape: readonly number[]; data: EncodableArray }>): Uint8Array {
  return buildStoredZip(Object.entries(arrays).map(([key, array]) => ({ name: `${key}.npy`, data: encodeNpy(array) })));
}

export function writeNpzFile(path: string, arrays: Record<string, { shape: readonly number[]; data: EncodableArray }>): void {
  writeWholeFile(path, encodeNpz(arrays));
}
