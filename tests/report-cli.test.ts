import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = resolve(__dirname, '..');

function polaris(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin/polaris.js'), ...args], { encoding: 'utf8', cwd: repoRoot, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('polaris reproduce (command line)', () => {
  it('documents the suites and flags, and is listed in the top-level help', () => {
    const help = polaris(['reproduce', '--help']);
    expect(help.status).toBe(0);
    for (const text of ['galaxyzoo', 'navcam', 'cifar10-ood', '--seeds N', '--epochs E', '--train-limit', '--size', '--latent', '--held-out']) expect(help.stdout).toContain(text);
    expect(polaris(['--help']).stdout).toMatch(/reproduce <suite>/);
  });

  it('exits 2 on usage errors and 3, saying it skipped, when the data is missing', () => {
    expect(polaris(['reproduce']).status).toBe(2);
    const unknown = polaris(['reproduce', 'mnist-ood']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown suite "mnist-ood"/);
    const dir = mkdtempSync(join(tmpdir(), 'polaris-reproduce-'));
    try {
      const missing = polaris(['reproduce', 'navcam', '--data', dir, '--out', join(dir, 'out')]);
      expect(missing.status).toBe(3);
      expect(missing.stderr).toMatch(/navcam: skipped — .*navcam-novelty\/labels\.csv.* missing/);
      writeFileSync(join(dir, 'cifar10-jpg.tar.gz'), '');
      const latent = polaris(['reproduce', 'cifar10-ood', '--latent', '64', '--data', dir]);
      expect(latent.status).toBe(2);
      expect(latent.stderr).toMatch(/needs --latent > 70/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
