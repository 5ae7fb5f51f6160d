/**
 * One error type for every problem with an input file (image, array, labels table), so callers can
 * tell "this file is bad" (report it, maybe skip it) apart from programming errors.
 */
export class DatasetFileError extends Error {
  override readonly name = 'DatasetFileError';

  constructor(
    /** The file as the user knows it (absolute path, or path relative to the dataset root). */
    readonly file: string,
    /** What is wrong with it, in words, without the file name. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
  }
}

/** A short description of an unknown thrown value, for wrapping third-party decoder errors. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
