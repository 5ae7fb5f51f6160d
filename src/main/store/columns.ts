/** Conversions between SQLite column values and app values, shared by the repositories. */
import { z } from 'zod';

export class StoreDataError extends Error {
  override readonly name = 'StoreDataError';
}

/** Validates one row from SQLite: better-sqlite3 types rows as unknown, and a schema says what we expect. */
export function parseRow<Schema extends z.ZodType>(schema: Schema, row: unknown, what: string): z.output<Schema> {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreDataError(`Unexpected ${what} row in the database (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown problem'})`);
  }
  return parsed.data;
}

export function parseRows<Schema extends z.ZodType>(schema: Schema, rows: readonly unknown[], what: string): z.output<Schema>[] {
  return rows.map((row) => parseRow(schema, row, what));
}

/** A TEXT column holding JSON, parsed and validated. */
export function parseJsonColumn<Schema extends z.ZodType>(schema: Schema, text: string, what: string): z.output<Schema> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreDataError(`${what}: stored JSON does not parse (${error instanceof Error ? error.message : String(error)})`);
  }
  return parseRow(schema, value, what);
}

/** Float32 values as a little-endian BLOB (every platform Polaris runs on is little-endian). */
export function float32ToBlob(values: ArrayLike<number>): Buffer {
  const array = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}

export function blobToFloat32(blob: Uint8Array): Float32Array {
  if (blob.byteLength % 4 !== 0) throw new StoreDataError(`A float32 BLOB has ${blob.byteLength} bytes, not a multiple of 4`);
  // Copy into a fresh buffer: a BLOB from SQLite need not be 4-byte aligned.
  const copy = new Uint8Array(blob.byteLength);
  copy.set(blob);
  return new Float32Array(copy.buffer);
}

export const sqliteInteger = z.number().int();
export const sqliteBoolean01 = z.union([z.literal(0), z.literal(1)]);
export const blobSchema = z.instanceof(Uint8Array);
