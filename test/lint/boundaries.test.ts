// The import boundaries of docs/architecture.md, as eslint.config.js enforces them: a probe file
// is written into a room with one import, linted with the project's own config, and removed.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const eslint = new ESLint({ cwd: root });
let seq = 0;

/** Lints `code` as a file of `folder` (it must exist on disk for the type-aware rules). */
async function lintIn(folder: string, code: string, ext = 'ts'): Promise<{ rule: string | null; message: string }[]> {
  const file = path.join(root, folder, `lint-probe-${process.pid}-${seq++}.${ext}`);
  writeFileSync(file, code);
  try {
    const [result] = await eslint.lintFiles([file]);
    return (result?.messages ?? []).map((m) => ({ rule: m.ruleId, message: m.message }));
  } finally {
    rmSync(file, { force: true });
  }
}

const BOUNDARY = '@typescript-eslint/no-restricted-imports';
const boundaryErrors = (ms: { rule: string | null; message: string }[]): string[] => ms.filter((m) => m.rule === BOUNDARY).map((m) => m.message);

describe('import boundaries', () => {
  it.each([
    ['electron/common', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'electron/common is pure TypeScript'],
    ['electron/common', "import { Engine } from '../engine/engine.js';\nexport const e = Engine;\n", 'electron/common is pure TypeScript'],
    ['electron/imaging', "import { Supervisor } from '../engine/supervisor.js';\nexport const s = Supervisor;\n", 'per-file pipeline of the worker side'],
    ['electron/imaging', "import type { Manifest } from '../catalog/manifest.js';\nexport type M = Manifest;\n", 'per-file pipeline of the worker side'],
    ['electron/imaging', "import { startOrtHost } from '../worker/ort-host.js';\nexport const s = startOrtHost;\n", 'electron/imaging is the per-file pipeline'],
    ['electron/worker', "import { Engine } from '../engine/index.js';\nexport const e = Engine;\n", 'never main-side code'],
    ['electron/worker', "import type { ModelSpec } from '../engine/worker-protocol.js';\nexport type M = ModelSpec;\n", 'never main-side code'],
    ['electron/catalog', "import { Engine } from '../engine/index.js';\nexport const e = Engine;\n", 'sits below the engine'],
    ['electron/catalog', "import { addStyle } from '../learning/style-learner.js';\nexport const a = addStyle;\n", 'sits below the engine'],
    ['electron/engine', "import { runBench } from '../bench/bench.js';\nexport const r = runBench;\n", 'electron/engine (CLI and main process)'],
    ['electron/engine', "import { addStyle } from '../learning/style-learner.js';\nexport const a = addStyle;\n", 'electron/engine (CLI and main process)'],
    ['electron/bench', "import { addStyle } from '../learning/style-learner.js';\nexport const a = addStyle;\n", 'a client of the engine facade'],
    ['electron/bench', "import { runStylize } from '../imaging/pipeline.js';\nexport const r = runStylize;\n", 'a client of the engine facade'],
    ['electron/learning', "import { runBench } from '../bench/bench.js';\nexport const r = runBench;\n", 'learns styles through the engine'],
    ['electron/services', "import { loadManifest } from '../catalog/manifest.js';\nexport const l = loadManifest;\n", 'through engine-port.ts'],
    ['electron/engine', "import { runStylize } from '../imaging/pipeline.js';\nexport const r = runStylize;\n", 'reaches the worker only through the supervisor'],
    ['electron/engine', "import ort from 'onnxruntime-node';\nexport const o = ort;\n", 'onnxruntime-node loads only in the supervised worker'],
    ['electron/services', "import { app } from 'electron';\nexport const a = app;\n", 'only electron/main and electron/preload run inside Electron'],
    ['electron/services', "import { Engine } from '../engine/index.js';\nexport const e = Engine;\n", 'through engine-port.ts'],
    ['electron/app', "import { app } from 'electron';\nexport const a = app;\n", 'only electron/main and electron/preload run inside Electron'],
    ['electron/app', "import { startOrtHost } from '../worker/ort-host.js';\nexport const s = startOrtHost;\n", 'electron/app wires the engine and services'],
    ['electron/services', "import { startApp } from '../app/start-app.js';\nexport const s = startApp;\n", 'through engine-port.ts'],
    ['electron/cli', "import { stylizePixels } from '../imaging/pipeline.js';\nexport const s = stylizePixels;\n", 'not its worker'],
    ['electron/main', "import { startOrtHost } from '../worker/ort-host.js';\nexport const s = startOrtHost;\n", 'the worker is a separate process'],
    ['electron/preload', "import { Engine } from '../engine/index.js';\nexport const e = Engine;\n", 'bundled alone into the sandbox'],
    ['renderer/src/lib', "import { CHANNELS } from '../../../electron/common/ipc-contract';\nexport const c = CHANNELS;\n", 'only types from the rest'],
    ['renderer/src/lib', "import type { Manifest } from '../../../electron/catalog/manifest';\nexport type M = Manifest;\n", 'only from electron/common'],
    ['renderer/src/lib', "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n", 'no Node modules'],
  ])('%s: %j is refused', async (folder, code, why) => {
    const errors = boundaryErrors(await lintIn(folder, code));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(why);
  });

  it('in a Svelte component, a value import from common/params is allowed, one from common/errors is not', async () => {
    const code = (from: string, name: string): string => `<script lang="ts">\n  import { ${name} } from '../../../electron/common/${from}';\n  const n = String(${name});\n</script>\n\n<p>{n}</p>\n`;
    expect(boundaryErrors(await lintIn('renderer/src/components', code('params', 'BRUSH_STOPS'), 'svelte'))).toEqual([]);
    const errors = boundaryErrors(await lintIn('renderer/src/components', code('errors', 'PasticheError'), 'svelte'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('only types from the rest');
  });

  it.each([
    ['electron/common', "import type { OutputFormat } from './types.js';\nexport const f: OutputFormat = 'png';\n"],
    [
      'electron/imaging',
      "import type { ModelSpec } from '../common/worker-protocol.js';\nimport { PasticheError } from '../common/errors.js';\nexport const f = (m: ModelSpec): Error => new PasticheError('INTERNAL', m.path);\n",
    ],
    [
      'electron/worker',
      "import { runStylize } from '../imaging/pipeline.js';\nimport type { StylizeJob } from '../common/worker-protocol.js';\nexport const r: (j: StylizeJob) => unknown = () => runStylize;\n",
    ],
    ['electron/main', "import { Engine } from '../engine/index.js';\nimport { app } from 'electron';\nexport const e = [Engine, app];\n"],
    ['electron/app', "import { Engine } from '../engine/index.js';\nimport { createHandlers } from '../services/handlers.js';\nexport const e = [Engine, createHandlers];\n"],
    ['electron/main', "import { startApp } from '../app/start-app.js';\nexport const s = startApp;\n"],
    ['renderer/src/lib', "import type { SizeChoice } from '../../../electron/common/types';\nexport const s: SizeChoice = 'original';\n"],
    [
      'renderer/src/lib',
      "import { fitLongEdge } from '../../../electron/common/geometry';\nimport { DEFAULT_BRUSH } from '../../../electron/common/params';\nexport const f = fitLongEdge(4000, 3000, DEFAULT_BRUSH);\n",
    ],
    ['electron/engine', "import { loadManifest } from '../catalog/manifest.js';\nexport const l = loadManifest;\n"],
    ['electron/learning', "import { parseStyleFile } from '../catalog/style-files.js';\nimport { packageRoot } from '../engine/paths.js';\nexport const p = [parseStyleFile, packageRoot];\n"],
    ['electron/bench', "import { Engine } from '../engine/index.js';\nimport { loadManifest } from '../catalog/manifest.js';\nexport const e = [Engine, loadManifest];\n"],
    ['electron/cli', "import { runBench } from '../bench/bench.js';\nimport { addStyle } from '../learning/style-learner.js';\nexport const c = [runBench, addStyle];\n"],
  ])('%s: %j is allowed', async (folder, code) => {
    expect(boundaryErrors(await lintIn(folder, code))).toEqual([]);
  });
});

describe('type-aware rules', () => {
  it('a promise neither awaited nor voided is reported', async () => {
    const code = "import { rm } from 'node:fs/promises';\nexport function clean(p: string): void {\n  rm(p, { force: true });\n}\n";
    const messages = await lintIn('electron/engine', code);
    expect(messages.map((m) => m.rule)).toContain('@typescript-eslint/no-floating-promises');
  });
});

describe('file size', () => {
  it('a source file over 400 lines is reported, one of 400 is not', async () => {
    const lines = (n: number): string => Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
    expect((await lintIn('electron/services', lines(401))).map((m) => m.rule)).toContain('max-lines');
    expect((await lintIn('electron/services', lines(400))).map((m) => m.rule)).not.toContain('max-lines');
  });
});
