/**
 * Minimal zip reader/writer for .npz archives: stored and deflate members, zip64 sizes and offsets
 * (numpy always writes zip64 local headers), CRC-checked. No encryption, no multi-disk archives.
 */
import { inflateRawSync } from 'node:zlib';
import { DatasetFileError, describeError } from './errors';

export interface ZipMember {
  name: string;
  data: Uint8Array;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EXTRA_FIELD_ID = 0x0001;
const UINT16_MARKER = 0xffff;
const UINT32_MARKER = 0xffffffff;
const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8_NAMES = 0x0800;

let crcTable: Uint32Array | null = null;

/** Standard CRC-32 (IEEE 802.3, as in zip and PNG). */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (table[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Reads little-endian fields with bounds checks that turn into "truncated" errors naming the file. */
class ByteReader {
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(offset: number, size: number, what: string): void {
    if (offset < 0 || offset + size > this.bytes.length) {
      throw new DatasetFileError(this.file, `truncated zip archive (${what} at byte ${offset} runs past the end of the file)`);
    }
  }

  u16(offset: number, what: string): number {
    this.need(offset, 2, what);
    return this.view.getUint16(offset, true);
  }

  u32(offset: number, what: string): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, true);
  }

  /** 64-bit unsigned; archives over 2^53 bytes are not a concern for this app. */
  u64(offset: number, what: string): number {
    this.need(offset, 8, what);
    const low = this.view.getUint32(offset, true);
    const high = this.view.getUint32(offset + 4, true);
    return high * 2 ** 32 + low;
  }

  slice(offset: number, length: number, what: string): Uint8Array {
    this.need(offset, length, what);
    return this.bytes.subarray(offset, offset + length);
  }
}

interface CentralEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

function findEndOfCentralDirectory(bytes: Uint8Array, file: string): number {
  const minimumRecord = 22;
  if (bytes.length < minimumRecord) throw new DatasetFileError(file, `not a zip archive (only ${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lowestStart = Math.max(0, bytes.length - minimumRecord - 0xffff);
  for (let offset = bytes.length - minimumRecord; offset >= lowestStart; offset--) {
    if (view.getUint32(offset, true) === END_OF_CENTRAL_DIRECTORY_SIGNATURE) return offset;
  }
  throw new DatasetFileError(file, 'not a zip archive, or truncated (no end-of-central-directory record)');
}

function readCentralDirectory(bytes: Uint8Array, file: string): CentralEntry[] {
  const reader = new ByteReader(bytes, file);
  const endOffset = findEndOfCentralDirectory(bytes, file);
  const diskNumber = reader.u16(endOffset + 4, 'end record');
  const directoryDisk = reader.u16(endOffset + 6, 'end record');
  let entryCount = reader.u16(endOffset + 10, 'end record');
  let directorySize = reader.u32(endOffset + 12, 'end record');
  let directoryOffset = reader.u32(endOffset + 16, 'end record');
  if (diskNumber !== 0 || directoryDisk !== 0) throw new DatasetFileError(file, 'multi-disk zip archives are not supported');

  if (entryCount === UINT16_MARKER || directorySize === UINT32_MARKER || directoryOffset === UINT32_MARKER) {
    const locatorOffset = endOffset - 20;
    if (locatorOffset < 0 || reader.u32(locatorOffset, 'zip64 locator') !== ZIP64_LOCATOR_SIGNATURE) {
      throw new DatasetFileError(file, 'zip64 archive without a zip64 end-of-central-directory locator');
    }
    const zip64EndOffset = reader.u64(locatorOffset + 8, 'zip64 locator');
    if (reader.u32(zip64EndOffset, 'zip64 end record') !== ZIP64_END_SIGNATURE) {
      throw new DatasetFileError(file, 'corrupt zip64 end-of-central-directory record');
    }
    entryCount = reader.u64(zip64EndOffset + 32, 'zip64 end record');
    directorySize = reader.u64(zip64EndOffset + 40, 'zip64 end record');
    directoryOffset = reader.u64(zip64EndOffset + 48, 'zip64 end record');
  }
  if (directoryOffset + directorySize > bytes.length) {
    throw new DatasetFileError(file, 'truncated zip archive (central directory runs past the end of the file)');
  }

  const entries: CentralEntry[] = [];
  let offset = directoryOffset;
  for (let index = 0; index < entryCount; index++) {
    if (reader.u32(offset, 'central directory entry') !== CENTRAL_HEADER_SIGNATURE) {
      throw new DatasetFileError(file, `corrupt zip central directory (entry ${index} has a bad signature)`);
    }
    const flags = reader.u16(offset + 8, 'central directory entry');
    const method = reader.u16(offset + 10, 'central directory entry');
    const crc = reader.u32(offset + 16, 'central directory entry');
    let compressedSize = reader.u32(offset + 20, 'central directory entry');
    let uncompressedSize = reader.u32(offset + 24, 'central directory entry');
    const nameLength = reader.u16(offset + 28, 'central directory entry');
    const extraLength = reader.u16(offset + 30, 'central directory entry');
    const commentLength = reader.u16(offset + 32, 'central directory entry');
    let localHeaderOffset = reader.u32(offset + 42, 'central directory entry');
    const nameBytes = reader.slice(offset + 46, nameLength, 'member name');
    const name = new TextDecoder(flags & FLAG_UTF8_NAMES ? 'utf-8' : 'latin1').decode(nameBytes);

    // Zip64 extra field: 8-byte values present only for the fields that hold the 0xFFFFFFFF marker, in this order.
    const extraStart = offset + 46 + nameLength;
    let extraOffset = extraStart;
    while (extraOffset + 4 <= extraStart + extraLength) {
      const id = reader.u16(extraOffset, 'extra field');
      const size = reader.u16(extraOffset + 2, 'extra field');
      if (id === ZIP64_EXTRA_FIELD_ID) {
        let cursor = extraOffset + 4;
        if (uncompressedSize === UINT32_MARKER) {
          uncompressedSize = reader.u64(cursor, 'zip64 extra field');
          cursor += 8;
        }
        if (compressedSize === UINT32_MARKER) {
          compressedSize = reader.u64(cursor, 'zip64 extra field');
          cursor += 8;
        }
        if (localHeaderOffset === UINT32_MARKER) localHeaderOffset = reader.u64(cursor, 'zip64 extra field');
      }
      extraOffset += 4 + size;
    }

    entries.push({ name, method, flags, crc, compressedSize, uncompressedSize, localHeaderOffset });
    offset = extraStart + extraLength + commentLength;
  }
  return entries;
}

/** All file members of a zip archive, decompressed and CRC-checked. Directory entries are left out. */
export function readZipMembers(bytes: Uint8Array, file: string): ZipMember[] {
  const reader = new ByteReader(bytes, file);
  const members: ZipMember[] = [];
  for (const entry of readCentralDirectory(bytes, file)) {
    if (entry.name.endsWith('/')) continue;
    if (entry.flags & FLAG_ENCRYPTED) throw new DatasetFileError(file, `member ${entry.name} is encrypted, which is not supported`);
    if (reader.u32(entry.localHeaderOffset, 'local header') !== LOCAL_HEADER_SIGNATURE) {
      throw new DatasetFileError(file, `corrupt zip archive (member ${entry.name} has a bad local header)`);
    }
    // The local header's own name/extra lengths decide where the data starts (its extra field may differ from the central one).
    const localNameLength = reader.u16(entry.localHeaderOffset + 26, 'local header');
    const localExtraLength = reader.u16(entry.localHeaderOffset + 28, 'local header');
    const dataStart = entry.localHeaderOffset + 30 + localNameLength + localExtraLength;
    if (dataStart + entry.compressedSize > bytes.length) {
      throw new DatasetFileError(file, `truncated zip archive (member ${entry.name} runs past the end of the file)`);
    }
    const stored = reader.slice(dataStart, entry.compressedSize, `member ${entry.name}`);

    let data: Uint8Array;
    if (entry.method === METHOD_STORED) {
      data = stored;
    } else if (entry.method === METHOD_DEFLATE) {
      try {
        // Bounding the output by the declared size stops a corrupt or hostile member from exhausting memory.
        data = inflateRawSync(stored, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
      } catch (error) {
        throw new DatasetFileError(file, `corrupt compressed data in member ${entry.name} (${describeError(error)})`, { cause: error });
      }
    } else {
      throw new DatasetFileError(file, `member ${entry.name} uses zip compression method ${entry.method}; only stored (0) and deflate (8) are supported`);
    }
    if (data.length !== entry.uncompressedSize) {
      throw new DatasetFileError(file, `member ${entry.name} decompressed to ${data.length} bytes, the archive says ${entry.uncompressedSize}`);
    }
    if (crc32(data) !== entry.crc) throw new DatasetFileError(file, `CRC mismatch in member ${entry.name} (corrupt archive)`);
    members.push({ name: entry.name, data });
  }
  return members;
}

/** Builds a zip archive with uncompressed (stored) members. Limited to 4 GiB and 65535 members (no zip64). */
export function buildStoredZip(members: readonly ZipMember[]): Uint8Array {
  const encoder = new TextEncoder();
  const names = members.map((member) => encoder.encode(member.name));
  const crcs = members.map((member) => crc32(member.data));
  const localSize = members.reduce((sum, member, i) => sum + 30 + (names[i] as Uint8Array).length + member.data.length, 0);
  const centralSize = names.reduce((sum, name) => sum + 46 + name.length, 0);
  const total = localSize + centralSize + 22;
  if (members.length > 0xffff || total > UINT32_MARKER) {
    throw new RangeError(`zip archive too large without zip64 (${members.length} members, ${total} bytes)`);
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const dosDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01: fixed, so the same arrays give the same bytes.
  const localOffsets: number[] = [];
  let offset = 0;
  members.forEach((member, i) => {
    const name = names[i] as Uint8Array;
    localOffsets.push(offset);
    view.setUint32(offset, LOCAL_HEADER_SIGNATURE, true);
    view.setUint16(offset + 4, 20, true); // version needed: 2.0
    view.setUint16(offset + 6, FLAG_UTF8_NAMES, true);
    view.setUint16(offset + 8, METHOD_STORED, true);
    view.setUint16(offset + 10, 0, true);
    view.setUint16(offset + 12, dosDate, true);
    view.setUint32(offset + 14, crcs[i] as number, true);
    view.setUint32(offset + 18, member.data.length, true);
    view.setUint32(offset + 22, member.data.length, true);
    view.setUint16(offset + 26, name.length, true);
    view.setUint16(offset + 28, 0, true);
    out.set(name, offset + 30);
    out.set(member.data, offset + 30 + name.length);
    offset += 30 + name.length + member.data.length;
  });
  const directoryOffset = offset;
  members.forEach((member, i) => {
    const name = names[i] as Uint8Array;
    view.setUint32(offset, CENTRAL_HEADER_SIGNATURE, true);
    view.setUint16(offset + 4, 20, true); // version made by
    view.setUint16(offset + 6, 20, true); // version needed
    view.setUint16(offset + 8, FLAG_UTF8_NAMES, true);
    view.setUint16(offset + 10, METHOD_STORED, true);
    view.setUint16(offset + 12, 0, true);
    view.setUint16(offset + 14, dosDate, true);
    view.setUint32(offset + 16, crcs[i] as number, true);
    view.setUint32(offset + 20, member.data.length, true);
    view.setUint32(offset + 24, member.data.length, true);
    view.setUint16(offset + 28, name.length, true);
    // extra length, comment length, disk, internal and external attributes stay zero
    view.setUint32(offset + 42, localOffsets[i] as number, true);
    out.set(name, offset + 46);
    offset += 46 + name.length;
  });
  view.setUint32(offset, END_OF_CENTRAL_DIRECTORY_SIGNATURE, true);
  view.setUint16(offset + 8, members.length, true);
  view.setUint16(offset + 10, members.length, true);
  view.setUint32(offset + 12, offset - directoryOffset, true);
  view.setUint32(offset + 16, directoryOffset, true);
  return out;
}
