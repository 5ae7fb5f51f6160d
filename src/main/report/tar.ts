/**
 * A minimal reader for (gzipped) tar archives, enough for the CIFAR-10 JPEG archive the cifar10-ood
 * suite reads: ustar / GNU / pax headers, regular files only. Members are returned as views into the
 * decompressed archive, so nothing is unpacked to disk and nothing is copied.
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DatasetFileError, describeError } from '../data/errors';

const BLOCK = 512;

export interface TarMember {
  /** Path inside the archive, '/' separated, without a leading './'. */
  name: string;
  data: Uint8Array;
}

function readString(block: Uint8Array, start: number, length: number): string {
  let end = start;
  while (end < start + length && block[end] !== 0) end++;
  return Buffer.from(block.buffer, block.byteOffset + start, end - start).toString('utf8');
}

function readOctal(block: Uint8Array, start: number, length: number, archive: string): number {
  const text = readString(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new DatasetFileError(archive, `corrupt tar header (size field "${text}")`);
  return parseInt(text, 8);
}

function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

/** The `path` record of a pax extended header, if any ("<length> path=<value>\n" records). */
function paxPath(data: Uint8Array): string | undefined {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  for (const record of text.split('\n')) {
    const match = /^\d+ path=(.*)$/.exec(record);
    if (match) return match[1];
  }
  return undefined;
}

/** Regular-file members of an uncompressed tar archive, in archive order; `archive` names it in errors. */
export function* tarMembers(bytes: Uint8Array, archive: string): Generator<TarMember> {
  let offset = 0;
  let pendingName: string | undefined; // from a GNU long-name ('L') or pax ('x') header
  while (offset + BLOCK <= bytes.length) {
    const header = bytes.subarray(offset, offset + BLOCK);
    if (isZeroBlock(header)) return; // end-of-archive marker
    const size = readOctal(header, 124, 12, archive);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = offset + BLOCK;
    if (dataStart + size > bytes.length) throw new DatasetFileError(archive, `truncated tar archive (member at byte ${offset} runs past the end)`);
    const data = bytes.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      pendingName = readString(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      pendingName = paxPath(data) ?? pendingName;
      continue;
    }
    const isUstar = readString(header, 257, 6).startsWith('ustar');
    const prefix = isUstar ? readString(header, 345, 155) : '';
    const headerName = readString(header, 0, 100);
    const name = (pendingName ?? (prefix ? `${prefix}/${headerName}` : headerName)).replace(/^\.\//, '');
    pendingName = undefined;
    if (type === '0' || type === '\0') yield { name, data };
  }
  if (offset < bytes.length) throw new DatasetFileError(archive, `truncated tar archive (a partial header at byte ${offset})`);
}

/** Reads a .tar or .tar.gz file into memory (decompressed) and returns its regular-file members. */
export async function readTarArchive(file: string): Promise<TarMember[]> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new DatasetFileError(file, `cannot read archive (${describeError(error)})`, { cause: error });
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new DatasetFileError(file, `cannot decompress archive (${describeError(error)})`, { cause: error });
    }
  }
  return [...tarMembers(bytes, file)];
}
