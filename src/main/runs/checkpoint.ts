/**
 * Checkpoints: everything a trainer needs to resume exactly (weights, BN statistics, both Adam
 * optimizers, epoch, β_eff, history) as checkpoint.json + checkpoint.bin (float32, little-endian).
 * The binary is written first and the JSON, which names the binary's byte length and a checksum,
 * last, each atomically: a crash at any point leaves the previous checkpoint readable.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AdamState } from '../../ml/adam';
import type { EpochLog, TrainerState } from '../../ml/train';
import { writeFileAtomic } from './atomic';

export const CHECKPOINT_JSON = 'checkpoint.json';
export const CHECKPOINT_BIN = 'checkpoint.bin';

const tensorEntry = z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  nextEpoch: z.number().int().nonnegative(),
  betaEffective: z.number(),
  rngSeed: z.number(),
  history: z.array(z.unknown()),
  encoderStep: z.number().int().nonnegative(),
  decoderStep: z.number().int().nonnegative(),
  binaryBytes: z.number().int().nonnegative(),
  sha256: z.string(),
  tensors: z.array(tensorEntry),
});

type TensorGroup = 'weight' | 'encoder.first' | 'encoder.second' | 'decoder.first' | 'decoder.second';

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function checkpointExists(folder: string): boolean {
  return existsSync(join(folder, CHECKPOINT_JSON)) && existsSync(join(folder, CHECKPOINT_BIN));
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
  writeFileAtomic(join(folder, CHECKPOINT_BIN), bytes);
  const manifest: z.infer<typeof manifestSchema> = {
    formatVersion: 1,
    nextEpoch: state.nextEpoch,
    betaEffective: state.betaEffective,
    rngSeed: state.rngSeed,
    history: state.history,
    encoderStep: state.encoderOptimizer.step,
    decoderStep: state.decoderOptimizer.step,
    binaryBytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    tensors,
  };
  writeFileAtomic(join(folder, CHECKPOINT_JSON), JSON.stringify(manifest));
}

export function readCheckpoint(folder: string): TrainerState {
  const jsonPath = join(folder, CHECKPOINT_JSON);
  const binPath = join(folder, CHECKPOINT_BIN);
  if (!checkpointExists(folder)) throw new CheckpointError(`${folder}: no checkpoint (${CHECKPOINT_JSON} and ${CHECKPOINT_BIN}) to resume from`);
  let manifest: z.infer<typeof manifestSchema>;
  try {
    manifest = manifestSchema.parse(JSON.parse(readFileSync(jsonPath, 'utf8')));
  } catch (error) {
    throw new CheckpointError(`${jsonPath}: not a valid checkpoint manifest (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
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
