/**
 * Labels tables: a CSV with one row per image, a key column naming the image and a label column.
 * Labels are optional ground truth (for evaluation), so rows that match no image and images without
 * a row are reported, never fatal. Keys and labels stay strings: Galaxy Zoo OBJIDs such as
 * 587722952767439450 exceed 2^53 and would be corrupted as numbers.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DatasetFileError, describeError } from './errors';

export interface CsvTable {
  /** Header cells, trimmed. */
  columns: string[];
  /** Data rows, each padded to the header's length. */
  rows: string[][];
}

/** Key columns tried in this order (case-insensitive). */
export const KEY_COLUMN_CANDIDATES = ['file', 'filename', 'path', 'name', 'id', 'objid'] as const;
/** Label columns tried in this order (case-insensitive); 'target' comes last because it often means something else. */
export const LABEL_COLUMN_CANDIDATES = ['label', 'class', 'novel', 'anomaly', 'anomalous', 'target'] as const;

/** Picks the delimiter that occurs most in the header line outside quotes: comma, semicolon or tab. */
function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && counts.has(char)) counts.set(char, (counts.get(char) as number) + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > (counts.get(best) as number)) best = delimiter;
  return best;
}

/** RFC 4180 CSV: quoted fields with "" escapes and embedded newlines; CRLF, LF or CR line ends; blank lines skipped. */
export function parseCsv(text: string, file: string): CsvTable {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const delimiter = sniffDelimiter(source);
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let cellWasQuoted = false;
  let line = 1;
  let recordLine = 1;

  const endCell = (): void => {
    cells.push(cellWasQuoted ? cell : cell.trim());
    cell = '';
    cellWasQuoted = false;
  };
  const endRecord = (): void => {
    endCell();
    if (cells.length > 1 || (cells[0] ?? '') !== '') records.push({ cells, line: recordLine });
    cells = [];
  };

  for (let i = 0; i < source.length; i++) {
    const char = source[i] as string;
    if (quoted) {
      if (char === '"') {
        if (source[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (char === '\n') line++;
        cell += char;
      }
    } else if (char === '"') {
      if (cell.trim() !== '') throw new DatasetFileError(file, `line ${line}: a quote inside an unquoted field`);
      cell = '';
      quoted = true;
      cellWasQuoted = true;
    } else if (char === delimiter) {
      endCell();
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      cell += char;
    }
  }
  if (quoted) throw new DatasetFileError(file, `line ${recordLine}: unterminated quoted field`);
  endRecord();

  const [header, ...body] = records;
  if (!header) throw new DatasetFileError(file, 'empty CSV (no header row)');
  const columns = header.cells.map((name) => name.trim());
  const rows = body.map(({ cells: rowCells, line: rowLine }) => {
    if (rowCells.length > columns.length) {
      throw new DatasetFileError(file, `line ${rowLine} has ${rowCells.length} fields, the header has ${columns.length}`);
    }
    while (rowCells.length < columns.length) rowCells.push('');
    return rowCells;
  });
  return { columns, rows };
}

export async function readCsvFile(file: string): Promise<CsvTable> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DatasetFileError(file, `cannot read labels file (${describeError(error)})`, { cause: error });
  }
  return parseCsv(text, file);
}

export interface LabelColumnOptions {
  /** Column holding the image key (case-insensitive); detected when omitted. */
  keyColumn?: string;
  /** Column holding the label (case-insensitive); detected when omitted. */
  labelColumn?: string;
}

function findColumn(columns: readonly string[], wanted: string | undefined, candidates: readonly string[], role: string, file: string): number {
  const lower = columns.map((name) => name.toLowerCase());
  if (wanted !== undefined) {
    const index = lower.indexOf(wanted.toLowerCase());
    if (index < 0) throw new DatasetFileError(file, `no ${role} column named "${wanted}" (columns: ${columns.join(', ')})`);
    return index;
  }
  for (const candidate of candidates) {
    const index = lower.indexOf(candidate);
    if (index >= 0) return index;
  }
  throw new DatasetFileError(file, `cannot tell which column holds the ${role} (looked for ${candidates.join(', ')}; columns: ${columns.join(', ')})`);
}

export interface LabelJoin {
  /** Image file (relative path, '/' separators) → label. */
  labels: Map<string, string>;
  keyColumn: string;
  labelColumn: string;
  /** Keys in the CSV that match no image file. */
  unmatchedKeys: string[];
  /** Keys that match several image files (e.g. the same basename in two folders); left unassigned. */
  ambiguousKeys: string[];
  /** Keys listed more than once with different labels; the first row wins. */
  conflictingKeys: string[];
  /** Image files that no CSV row labels. */
  unlabelledFiles: string[];
}

function normaliseKey(key: string): string {
  return key.trim().replace(/\\/g, '/').replace(/^\.\//, '');
}

function stem(name: string): string {
  const extension = path.posix.extname(name);
  return extension ? name.slice(0, -extension.length) : name;
}

function addToIndex(index: Map<string, string[]>, key: string, file: string): void {
  const files = index.get(key);
  if (files) files.push(file);
  else index.set(key, [file]);
}

/**
 * Joins a labels table to image files (relative paths with '/' separators). A key matches an image
 * by relative path, else by basename, else by basename without extension (so OBJID 587722952767439450
 * matches images/587722952767439450.jpg). Rows with an empty label are ignored.
 */
export function joinLabels(table: CsvTable, files: readonly string[], file: string, options: LabelColumnOptions = {}): LabelJoin {
  const keyIndex = findColumn(table.columns, options.keyColumn, KEY_COLUMN_CANDIDATES, 'image key', file);
  const labelIndex = findColumn(table.columns, options.labelColumn, LABEL_COLUMN_CANDIDATES, 'label', file);
  if (keyIndex === labelIndex) throw new DatasetFileError(file, `the key and label columns are the same column ("${table.columns[keyIndex]}")`);

  const byPath = new Map<string, string[]>();
  const byBasename = new Map<string, string[]>();
  const byStem = new Map<string, string[]>();
  for (const imageFile of files) {
    const basename = path.posix.basename(imageFile);
    addToIndex(byPath, imageFile, imageFile);
    addToIndex(byBasename, basename, imageFile);
    addToIndex(byStem, stem(basename), imageFile);
  }

  const labels = new Map<string, string>();
  const unmatchedKeys: string[] = [];
  const ambiguousKeys: string[] = [];
  const conflictingKeys: string[] = [];
  for (const row of table.rows) {
    const key = normaliseKey(row[keyIndex] ?? '');
    const label = (row[labelIndex] ?? '').trim();
    if (key === '' || label === '') continue;
    const keyBasename = path.posix.basename(key);
    const matches = byPath.get(key) ?? byBasename.get(keyBasename) ?? byStem.get(keyBasename) ?? byStem.get(stem(keyBasename));
    if (!matches) {
      unmatchedKeys.push(key);
      continue;
    }
    if (matches.length > 1) {
      ambiguousKeys.push(key);
      continue;
    }
    const imageFile = matches[0] as string;
    const existing = labels.get(imageFile);
    if (existing === undefined) labels.set(imageFile, label);
    else if (existing !== label) conflictingKeys.push(key);
  }
  return {
    labels,
    keyColumn: table.columns[keyIndex] as string,
    labelColumn: table.columns[labelIndex] as string,
    unmatchedKeys,
    ambiguousKeys,
    conflictingKeys,
    unlabelledFiles: files.filter((imageFile) => !labels.has(imageFile)),
  };
}

/** Reads a labels CSV and joins it to the image files (see joinLabels). */
export async function loadLabels(csvFile: string, files: readonly string[], options: LabelColumnOptions = {}): Promise<LabelJoin> {
  return joinLabels(await readCsvFile(csvFile), files, csvFile, options);
}
