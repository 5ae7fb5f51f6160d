import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RULE_ID = 'local/code-layering';

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT, overrideConfigFile: path.join(ROOT, 'eslint.config.js') });
});

/** The layering messages ESLint reports for `code` pretending to live at `file` (project-relative). */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  if (result === undefined) throw new Error(`ESLint returned no result for ${file}`);
  const fatal = result.messages.filter((message) => message.fatal);
  expect(fatal, `parse errors in the test snippet for ${file}`).toEqual([]);
  return result.messages.filter((message) => message.ruleId === RULE_ID).map((message) => message.message);
}

describe('local/code-layering', () => {
  it('is switched on for src/ files', async () => {
    const config: unknown = await eslint.calculateConfigForFile(path.join(ROOT, 'src/ml/x.ts'));
    expect(JSON.stringify(config)).toContain(RULE_ID);
  });

  it('keeps the ML layer pure: no Node built-ins, electron or sqlite', async () => {
    expect(await layeringErrors('src/ml/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toEqual([
      'src/ml must not import node:fs (ML layer is pure: no fs, electron or sqlite)',
    ]);
    for (const specifier of ['fs', 'fs/promises', 'node:path', 'electron', 'better-sqlite3', 'worker_threads']) {
      const errors = await layeringErrors('src/ml/kernels/y.ts', `import * as m from '${specifier}';\nexport { m };\n`);
      expect(errors, specifier).toEqual([`src/ml must not import ${specifier} (ML layer is pure: no fs, electron or sqlite)`]);
    }
    // dynamic import, require and re-exports are imports too
    expect(await layeringErrors('src/ml/x.ts', "export async function f() { return import('node:fs'); }\n")).toHaveLength(1);
    expect(await layeringErrors('src/ml/x.ts', "export * from 'node:os';\n")).toHaveLength(1);
    expect(await layeringErrors('src/ml/x.ts', "import os = require('os');\nexport const o = os;\n")).toHaveLength(1);
  });

  it('lets ML use TensorFlow.js and the shared layer, but not main', async () => {
    expect(await layeringErrors('src/ml/x.ts', "import * as tf from '@tensorflow/tfjs-core';\nexport { tf };\n")).toEqual([]);
    expect(await layeringErrors('src/ml/x.ts', "export type { AppInfo } from '../shared/ipc';\n")).toEqual([]);
    expect(await layeringErrors('src/ml/x.ts', "export { x } from '../main/store';\n")).toEqual([
      'src/ml must not import src/main/store (ML layer is pure: no fs, electron or sqlite)',
    ]);
  });

  it('keeps the renderer on src/shared and its UI libraries', async () => {
    expect(await layeringErrors('src/renderer/x.tsx', "import '../main/store';\n")).toEqual([
      'src/renderer must not import src/main/store (renderer sees only src/shared, react, react-dom and plotly)',
    ]);
    // even type-only imports: the layers are about dependencies, not just emitted code
    expect(await layeringErrors('src/renderer/src/y.tsx', "import type { X } from '../../ml/model';\nexport type Y = X;\n")).toHaveLength(1);
    for (const specifier of ['electron', 'node:fs', 'zod', 'better-sqlite3']) {
      expect(await layeringErrors('src/renderer/src/y.tsx', `import '${specifier}';\n`), specifier).toHaveLength(1);
    }
    const allowed = [
      "import { useState } from 'react';",
      "import { createRoot } from 'react-dom/client';",
      "import Plotly from 'plotly.js-dist-min';",
      "import type { PolarisApi } from '../../shared/api';",
      "import './styles.css';",
    ].join('\n');
    expect(await layeringErrors('src/renderer/src/App.tsx', `${allowed}\nexport type T = PolarisApi; export const u = [useState, createRoot, Plotly];\n`)).toEqual([]);
  });

  it('lets the preload see electron and src/shared only', async () => {
    expect(await layeringErrors('src/preload/index.ts', "import { contextBridge } from 'electron';\nimport { invokeContract } from '../shared/ipc';\nexport { contextBridge, invokeContract };\n")).toEqual([]);
    expect(await layeringErrors('src/preload/index.ts', "import fs from 'node:fs';\nexport { fs };\n")).toHaveLength(1);
    expect(await layeringErrors('src/preload/index.ts', "import { x } from '../main/ipc/dispatch';\nexport { x };\n")).toHaveLength(1);
  });

  it('lets src/shared import zod and nothing else', async () => {
    expect(await layeringErrors('src/shared/x.ts', "import { z } from 'zod';\nexport const s = z.string();\n")).toEqual([]);
    expect(await layeringErrors('src/shared/x.ts', "import { createMatrix } from '../ml/matrix';\nexport { createMatrix };\n")).toEqual([
      'src/shared must not import src/ml/matrix (shared holds types and the IPC contract: it imports nothing but zod)',
    ]);
    expect(await layeringErrors('src/shared/x.ts', "import react from 'react';\nexport { react };\n")).toHaveLength(1);
  });

  it('lets main use ml, shared, node and electron, but not the UI layers', async () => {
    const code = [
      "import { createMatrix } from '../ml/matrix';",
      "import { invokeContract } from '../shared/ipc';",
      "import { app } from 'electron';",
      "import { readFile } from 'node:fs/promises';",
      'export const all = [createMatrix, invokeContract, app, readFile];',
    ].join('\n');
    expect(await layeringErrors('src/main/services/x.ts', code)).toEqual([]);
    expect(await layeringErrors('src/main/x.ts', "import { App } from '../renderer/src/App';\nexport { App };\n")).toHaveLength(1);
  });

  it('keeps the CLI headless: main and ml yes, electron no', async () => {
    expect(await layeringErrors('src/cli/x.ts', "import { createMatrix } from '../ml/matrix';\nimport { x } from '../main/data/zip';\nexport { createMatrix, x };\n")).toEqual([]);
    expect(await layeringErrors('src/cli/x.ts', "import { app } from 'electron';\nexport { app };\n")).toEqual([
      'src/cli must not import electron (the CLI runs headless in plain Node: never electron)',
    ]);
  });

  it('keeps app code independent of tests, bench and scripts', async () => {
    expect(await layeringErrors('src/main/x.ts', "import { fixture } from '../../tests/helpers/backend';\nexport { fixture };\n")).toEqual([
      'src/main must not import tests/helpers/backend (app code never depends on tests, bench or scripts)',
    ]);
  });

  it('leaves tests, bench and scripts free to import anything', async () => {
    const code = "import fs from 'node:fs';\nimport { app } from 'electron';\nimport '../src/main/index';\nexport { fs, app };\n";
    expect(await layeringErrors('tests/anything.test.ts', code)).toEqual([]);
    expect(await layeringErrors('bench/anything.ts', code)).toEqual([]);
  });
});
