/**
 * Checkpoints: everything a trainer needs to resume exactly (weights, BN statistics, both Adam
 * optimizers, epoch, β_eff, history) as checkpoint.json + a binary of float32 tensors (little-endian).
 * Each checkpoint's binary has its own name (epoch and checksum), written first; checkpoint.json,
 * which names it with its byte length and checksum, is swapped in last, atomically; only then is the
 * previous binary removed. A kill at any moment therefore leaves a consistent pair on disk.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AdamState } from '../../ml/adam';
import type { EpochLog, TrainerState } from '../../ml/train';
import { writeFileAtomic } from './atomic';

export const CHECKPOINT_JSON = 'checkpoint.json';
/** Binaries are named checkpoint-<epoch>-<sha256 prefix>.bin. */
const BINARY_PATTERN = /^checkpoint-\d+-[0-9a-f]{16}\.bin$/;

const tensorEntry = z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  nextEpoch: z.number().int().nonnegative(),
  betaEffective: z.number(),
  rngSeed: z.number(),
  history: z.array(z.unknown()),
  encoderStep: z.number().int().nonnegative(),
  decoderStep: z.number().int().nonnegative(),
  binaryFile: z.string().regex(BINARY_PATTERN),
  binaryBytes: z.number().int().nonnegative(),
  sha256: z.string(),
  tensors: z.array(tensorEntry),
});

type TensorGroup = 'weight' | 'encoder.first' | 'encoder.second' | 'decoder.first' | 'decoder.second';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** The binary that checkpoint.json names, or null when there is no readable manifest. */
export function checkpointBinaryPath(folder: string): string | null {
  try {
    const { binaryFile } = z.object({ binaryFile: z.string().regex(BINARY_PATTERN) }).parse(JSON.parse(readFileSync(join(folder, CHECKPOINT_JSON), 'utf8')));
    return join(folder, binaryFile);
  } catch {
    return null;
  }
}

export function checkpointExists(folder: string): boolean {
  const binary = checkpointBinaryPath(folder);
  return binary !== null && existsSync(binary);
}

export function writeCheckpoint(folder: string, state: TrainerState): void {
  const entries: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (const [name, { shape, values }] of state.weights) entries.push({ name: `weight:${name}`, shape, values });
  const addMoments = (prefix: 'encoder' | 'decoder', optimizer: AdamState) => {
    for (const [name, { first, second }] of optimizer.moments) {
      const shape = state.weights.get(name)?.shape ?? [first.length];
      entries.push({ name: `${prefix}.first:${name}`, shape, values: first });
      entries.push({ name: `${prefix}.second:${name}`, shape, values: second });
    }
  };
  addMoments('encoder', state.encoderOptimizer);
  addMoments('decoder', state.decoderOptimizer);
  const totalValues = entries.reduce((sum, e) => sum + e.values.length, 0);
  const binary = new Float32Array(totalValues);
  let offset = 0;
  const tensors = entries.map((entry) => {
    binary.set(entry.values, offset);
    const record = { name: entry.name, shape: entry.shape, offset, length: entry.values.length };
    offset += entry.values.length;
    return record;
  });
  const bytes = new Uint8Array(binary.buffer, binary.byteOffset, binary.byteLength);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const binaryFile = `checkpoint-${state.nextEpoch}-${sha256.slice(0, 16)}.bin`;
  writeFileAtomic(join(folder, binaryFile), bytes);
  const manifest: z.infer<typeof manifestSchema> = {
    formatVersion: 1,
    nextEpoch: state.nextEpoch,
    betaEffective: state.betaEffective,
    rngSeed: state.rngSeed,
    history: state.history,
    encoderStep: state.encoderOptimizer.step,
    decoderStep: state.decoderOptimizer.step,
    binaryFile,
    binaryBytes: bytes.byteLength,
    sha256,
    tensors,
  };
  writeFileAtomic(join(folder, CHECKPOINT_JSON), JSON.stringify(manifest));
  // Only now is the previous binary unreferenced.
  for (const entry of readdirSync(folder)) {
    if (BINARY_PATTERN.test(entry) && entry !== binaryFile) rmSync(join(folder, entry), { force: true });
  }
}

export function readCheckpoint(folder: string): TrainerState {
  const jsonPath = join(folder, CHECKPOINT_JSON);
  if (!existsSync(jsonPath)) throw new CheckpointError(`${folder}: no checkpoint (${CHECKPOINT_JSON}) to resume from`);
  let manifest: z.infer<typeof manifestSchema>;
  try {
    manifest = manifestSchema.parse(JSON.parse(readFileSync(jsonPath, 'utf8')));
  } catch (error) {
    throw new CheckpointError(`${jsonPath}: not a valid checkpoint manifest (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
  const binPath = join(folder, manifest.binaryFile);
  if (!existsSync(binPath)) throw new CheckpointError(`${binPath}: missing; ${jsonPath} names it`);
  const bytes = readFileSync(binPath);
  if (bytes.byteLength !== manifest.binaryBytes) {
    throw new CheckpointError(`${binPath}: has ${bytes.byteLength} bytes, the manifest expects ${manifest.binaryBytes} (truncated or from another checkpoint)`);
  }
  if (createHash('sha256').update(bytes).digest('hex') !== manifest.sha256) {
    throw new CheckpointError(`${binPath}: checksum mismatch; the checkpoint is corrupt`);
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const weights: TrainerState['weights'] = new Map();
  const moments: Record<string, AdamState['moments']> = { encoder: new Map(), decoder: new Map() };
  for (const tensor of manifest.tensors) {
    if (tensor.offset + tensor.length > values.length) throw new CheckpointError(`${binPath}: tensor ${tensor.name} lies beyond the end of the file`);
    const data = values.slice(tensor.offset, tensor.offset + tensor.length);
    const [group, name] = splitName(tensor.name);
    if (group === 'weight') {
      weights.set(name, { shape: tensor.shape, values: data });
      continue;
    }
    const [part, moment] = group.split('.') as ['encoder' | 'decoder', 'first' | 'second'];
    const map = moments[part] as AdamState['moments'];
    const entry = map.get(name) ?? { first: new Float32Array(0), second: new Float32Array(0) };
    entry[moment] = data;
    map.set(name, entry);
  }
  return {
    nextEpoch: manifest.nextEpoch,
    betaEffective: manifest.betaEffective,
    rngSeed: manifest.rngSeed,
    history: manifest.history as EpochLog[],
    weights,
    encoderOptimizer: { step: manifest.encoderStep, moments: moments.encoder as AdamState['moments'] },
    decoderOptimizer: { step: manifest.decoderStep, moments: moments.decoder as AdamState['moments'] },
  };
}

function splitName(qualified: string): [TensorGroup, string] {
  const colon = qualified.indexOf(':');
  const group = qualified.slice(0, colon) as TensorGroup;
  const groups: TensorGroup[] = ['weight', 'encoder.first', 'encoder.second', 'decoder.first', 'decoder.second'];
  if (colon < 0 || !groups.includes(group)) throw new CheckpointError(`Unknown checkpoint tensor "${qualified}"`);
  return [group, qualified.slice(colon + 1)];
}
