/**
 * What the run queue needs to know about a run folder's checkpoint without loading its tensors: the
 * epoch it resumes at, the history it carries, and whether the binary beside it is the one it names.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { checkpointBinaryPath, CHECKPOINT_JSON } from '../runs/checkpoint';
import { EpochLogMessageSchema } from './worker-protocol';

/** The fields of checkpoint.json (see ../runs/checkpoint.ts) that the queue reads; the rest passes through. */
const checkpointManifestSchema = z.object({
  formatVersion: z.literal(1),
  nextEpoch: z.int().nonnegative(),
  history: z.array(z.unknown()),
  binaryBytes: z.int().nonnegative(),
  sha256: z.string(),
});

export type CheckpointEpochLog = z.output<typeof EpochLogMessageSchema>;

export interface CheckpointSummary {
  path: string;
  nextEpoch: number;
  history: CheckpointEpochLog[];
  bytes: number;
  sha256: string;
}

export type CheckpointState = { kind: 'none' } | { kind: 'usable'; summary: CheckpointSummary } | { kind: 'unusable'; reason: string };

/**
 * Reads the checkpoint of a run folder. With `verifyContents`, the binary's SHA-256 is checked too
 * (what readCheckpoint does before a resume), so a torn checkpoint is noticed before a worker starts.
 */
export function inspectCheckpoint(runDir: string, options: { verifyContents: boolean }): CheckpointState {
  const jsonPath = join(runDir, CHECKPOINT_JSON);
  if (!existsSync(jsonPath)) return { kind: 'none' };
  const binPath = checkpointBinaryPath(runDir);
  if (binPath === null) return { kind: 'unusable', reason: `${jsonPath} is not a valid checkpoint manifest` };
  if (!existsSync(binPath)) return { kind: 'unusable', reason: `${binPath} is missing; ${CHECKPOINT_JSON} names it` };
  let manifest: z.output<typeof checkpointManifestSchema>;
  try {
    manifest = checkpointManifestSchema.parse(JSON.parse(readFileSync(jsonPath, 'utf8')));
  } catch (error) {
    return { kind: 'unusable', reason: `${jsonPath} is not a valid checkpoint manifest (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
  const bytes = statSync(binPath).size;
  if (bytes !== manifest.binaryBytes) {
    return { kind: 'unusable', reason: `${binPath} has ${bytes} bytes, its manifest expects ${manifest.binaryBytes}` };
  }
  if (options.verifyContents && createHash('sha256').update(readFileSync(binPath)).digest('hex') !== manifest.sha256) {
    return { kind: 'unusable', reason: `${binPath} does not match the checksum in ${CHECKPOINT_JSON}` };
  }
  const history = manifest.history.flatMap((entry) => {
    const parsed = EpochLogMessageSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
  return { kind: 'usable', summary: { path: jsonPath, nextEpoch: manifest.nextEpoch, history, bytes, sha256: manifest.sha256 } };
}
