/**
 * The training settings as form fields: which constants the main form shows, their bounds (the same
 * as the contract's RunConfigOverrides), and how text typed into a field becomes a config value.
 */
import type { RunConfigOverrides } from '../../../../shared/ipc';

export type ConfigValue = number | boolean | number[] | string | null;

export interface BasicField {
  key: keyof RunConfigOverrides & string;
  label: string;
  min: number;
  max: number;
  integer: boolean;
  /** Shown under the field. */
  hint: string;
}

/** The settings every run is asked for; everything else lives under "Advanced constants". */
export const BASIC_FIELDS: readonly BasicField[] = [
  { key: 'latentDim', label: 'Latent dimension n', min: 3, max: 1024, integer: true, hint: 'Size of the hyperspherical latent' },
  { key: 'epochs', label: 'Epochs', min: 1, max: 10_000, integer: true, hint: 'Passes over the training items' },
  { key: 'batchSize', label: 'Batch size', min: 2, max: 4096, integer: true, hint: 'The latent statistics are batch statistics' },
  { key: 'seed', label: 'Seed', min: 0, max: 2 ** 32 - 1, integer: true, hint: 'Same seed, same split and same run' },
  { key: 'learningRate', label: 'Learning rate', min: Number.MIN_VALUE, max: 1, integer: false, hint: 'Adam, both optimizers' },
  { key: 'knnK', label: 'k of the k-NN score', min: 1, max: 1000, integer: true, hint: 'Neighbours averaged into a score' },
];

export const IMAGE_SIZES = [32, 64, 128, 256, 512] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

/** Keys the form handles itself (method and image size have their own controls). */
export const FORM_KEYS: ReadonlySet<string> = new Set(['method', 'imageSize', 'channels', ...BASIC_FIELDS.map((field) => field.key)]);

/** The text a field shows for a value. */
export function valueToText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/**
 * Parses a field's text against the kind of its default. Returns the value, or an error in words.
 * Empty text means "use the default".
 */
export function parseFieldText(text: string, defaultValue: unknown): { value: ConfigValue | undefined } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { value: undefined };
  if (Array.isArray(defaultValue)) {
    const parts = trimmed.split(/[\s,;]+/).filter((part) => part.length > 0);
    const numbers = parts.map(Number);
    if (numbers.some((number) => !Number.isFinite(number))) return { error: 'Enter numbers separated by commas' };
    return { value: numbers };
  }
  const number = Number(trimmed);
  if (!Number.isFinite(number)) return { error: 'Enter a number' };
  return { value: number };
}

export function checkBasicField(field: BasicField, value: number): string | null {
  if (field.integer && !Number.isInteger(value)) return 'Enter a whole number';
  if (value < field.min || value > field.max) return field.min === Number.MIN_VALUE ? `Enter a number above 0 and at most ${field.max}` : `Enter a number from ${field.min} to ${field.max.toLocaleString('en-US')}`;
  return null;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Only what differs from the defaults is sent: a run's stored request then shows what was chosen. */
export function changedOverrides(values: Readonly<Record<string, unknown>>, defaults: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && !sameValue(value, defaults[key])) changed[key] = value;
  }
  return changed;
}
