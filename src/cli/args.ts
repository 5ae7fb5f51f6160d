/** Argument helpers shared by the commands: typed flag parsing and config overrides. */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type CompVaeConfig, DEFAULT_CONFIG, MODEL_METHODS, type ModelMethod } from '../ml/config';
import type { DatasetSpec } from '../main/services/dataset-prep';
import { UsageError } from './output';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export function parse(argv: string[], options: OptionSpec, command: string): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const result = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals: true, strict: true });
    return { values: result.values as Record<string, string | boolean | string[] | undefined>, positionals: result.positionals };
  } catch (error) {
    throw new UsageError(`${command}: ${error instanceof Error ? error.message : String(error)} (see polaris ${command} --help)`);
  }
}

export function stringFlag(values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberFlag(values: Record<string, unknown>, name: string, { integer = false, min = -Infinity } = {}): number | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    throw new UsageError(`--${name} expects ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}, got "${raw}"`);
  }
  return value;
}

export function listFlag(values: Record<string, unknown>, name: string): string[] | undefined {
  const raw = stringFlag(values, name);
  if (raw === undefined) return undefined;
  return raw.split(',').map((s) => s.trim()).filter(Boolean);
}

export function methodFlag(value: string | undefined): ModelMethod | undefined {
  if (value === undefined) return undefined;
  if (!(MODEL_METHODS as readonly string[]).includes(value)) throw new UsageError(`--method must be one of ${MODEL_METHODS.join(', ')}, got "${value}"`);
  return value as ModelMethod;
}

/** Parses `key=value` against the type of the default of that config field. */
export function parseSetting(assignment: string): Partial<CompVaeConfig> {
  const eq = assignment.indexOf('=');
  if (eq < 1) throw new UsageError(`--set expects key=value, got "${assignment}"`);
  const key = assignment.slice(0, eq) as keyof CompVaeConfig;
  const raw = assignment.slice(eq + 1);
  if (!(key in DEFAULT_CONFIG)) throw new UsageError(`--set: unknown config field "${key}" (see polaris config)`);
  const current = DEFAULT_CONFIG[key];
  let value: unknown;
  if (typeof current === 'number' || current === null) value = raw === 'null' ? null : Number(raw);
  else if (typeof current === 'boolean') value = raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : undefined;
  else if (Array.isArray(current)) value = raw === '' ? [] : raw.split(',').map(Number);
  else value = raw;
  if (value === undefined || (typeof value === 'number' && !Number.isFinite(value)) || (Array.isArray(value) && value.some((v) => !Number.isFinite(v)))) {
    throw new UsageError(`--set ${key}: cannot read "${raw}" as ${Array.isArray(current) ? 'a list of numbers' : typeof current}`);
  }
  return { [key]: value } as Partial<CompVaeConfig>;
}

export const MODEL_OPTIONS: OptionSpec = {
  method: { type: 'string' },
  latent: { type: 'string' },
  epochs: { type: 'string' },
  seed: { type: 'string' },
  batch: { type: 'string' },
  size: { type: 'string' },
  lr: { type: 'string' },
  set: { type: 'string', multiple: true },
  config: { type: 'string' },
  backend: { type: 'string' },
};

/** Config overrides from --config file.json, then the named flags, then each --set. */
export function configOverrides(values: Record<string, unknown>): Partial<CompVaeConfig> {
  let overrides: Partial<CompVaeConfig> = {};
  const configFile = stringFlag(values, 'config');
  if (configFile) {
    try {
      overrides = JSON.parse(readFileSync(configFile, 'utf8')) as Partial<CompVaeConfig>;
    } catch (error) {
      throw new UsageError(`--config ${configFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const named: Partial<CompVaeConfig> = {
    method: methodFlag(stringFlag(values, 'method')),
    latentDim: numberFlag(values, 'latent', { integer: true, min: 3 }),
    epochs: numberFlag(values, 'epochs', { integer: true, min: 1 }),
    seed: numberFlag(values, 'seed', { integer: true }),
    batchSize: numberFlag(values, 'batch', { integer: true, min: 2 }),
    imageSize: numberFlag(values, 'size', { integer: true, min: 32 }),
    learningRate: numberFlag(values, 'lr', { min: 0 }),
  };
  for (const [key, value] of Object.entries(named)) if (value !== undefined) (overrides as Record<string, unknown>)[key] = value;
  const sets = values.set;
  if (Array.isArray(sets)) for (const assignment of sets) overrides = { ...overrides, ...parseSetting(String(assignment)) };
  return overrides;
}

export const MODEL_HELP = `  --method comp|vmf|vae|ae   model (default comp: full compression)
  --latent N                 latent dimension n (default ${DEFAULT_CONFIG.latentDim})
  --epochs E                 epochs (default ${DEFAULT_CONFIG.epochs})
  --seed S                   seed (default ${DEFAULT_CONFIG.seed})
  --batch B                  batch size (default ${DEFAULT_CONFIG.batchSize})
  --size S                   input side, 32·2^k (default ${DEFAULT_CONFIG.imageSize})
  --lr R                     Adam learning rate (default ${DEFAULT_CONFIG.learningRate})
  --set key=value            any other constant of method.md (repeatable; see polaris config)
  --config file.json         overrides from a JSON file
  --backend B                node-gpu | node | wasm | cpu (default: fastest that loads; or POLARIS_BACKEND)`;

/** Paths on the command line are relative to the working directory. */
export function optionalPath(value: string | undefined): string | undefined {
  return value === undefined ? undefined : resolvePath(value);
}

/** Flags that describe a dataset folder (train, eval). */
export const DATA_OPTIONS: OptionSpec = {
  labels: { type: 'string' },
  'label-column': { type: 'string' },
  'anomaly-classes': { type: 'string' },
  'on-error': { type: 'string' },
  limit: { type: 'string' },
};

export function onErrorFlag(values: Record<string, unknown>): 'skip' | 'stop' {
  const onError = stringFlag(values, 'on-error') ?? 'skip';
  if (onError !== 'skip' && onError !== 'stop') throw new UsageError('--on-error must be skip or stop');
  return onError;
}

/** --backend B forces a backend for this process, like POLARIS_BACKEND. */
export function applyBackendFlag(values: Record<string, unknown>): void {
  const backend = stringFlag(values, 'backend');
  if (backend) process.env.POLARIS_BACKEND = backend;
}

export function folderDatasetSpec(values: Record<string, unknown>, path: string): Extract<DatasetSpec, { kind: 'folder' }> {
  return {
    kind: 'folder',
    path: resolvePath(path),
    labelsCsv: optionalPath(stringFlag(values, 'labels')),
    labelColumn: stringFlag(values, 'label-column'),
    anomalyClasses: listFlag(values, 'anomaly-classes'),
    onProblem: onErrorFlag(values),
    limit: numberFlag(values, 'limit', { integer: true, min: 3 }),
  };
}
