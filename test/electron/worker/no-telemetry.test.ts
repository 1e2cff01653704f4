// onnxruntime's own telemetry (worker/no-telemetry.ts): the real CLI, on the real worker, leaves
// nothing in the user's home or temp folder. The first test shows what this onnxruntime build does
// when nobody opts out, so the others cannot pass for want of telemetry to turn off.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURE_MODELS, ROOT, ensureBuilt, tmpDir, writePhoto } from '../engine/helpers.js';

beforeAll(() => {
  ensureBuilt();
});

/**
 * A home and a temp folder of its own, and nothing else from the parent's environment: onnxruntime
 * keeps quiet on its own when it sees a CI service's variable (GITHUB_ACTIONS, JENKINS_URL, GITLAB_CI
 * and more), and those must not make the test pass or the control fail.
 */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; home: string; tmp: string } {
  const home = tmpDir('pastiche-home-');
  const tmp = tmpDir('pastiche-tmp-');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, TMPDIR: tmp, PASTICHE_USER_DATA: path.join(home, 'data'), ...extra };
  return { env, home, tmp };
}

const everything = (dir: string): string[] => (readdirSync(dir, { recursive: true }) as string[]).sort();

describe("onnxruntime's telemetry", () => {
  it('this onnxruntime build writes a device id and an event store when nobody opts out', () => {
    const { env, home } = cleanEnv();
    const model = path.join(FIXTURE_MODELS, 'fixture-pack.onnx');
    const r = spawnSync(process.execPath, ['-e', `require('onnxruntime-node').InferenceSession.create(${JSON.stringify(model)}).then(() => console.log('ok'))`], {
      cwd: ROOT,
      env,
      encoding: 'utf8',
    });
    expect(r.stdout.trim(), r.stderr).toBe('ok');
    expect(everything(home)).toContain(path.join('.cache', 'Microsoft', 'DeveloperTools', '.onnxruntime', 'deviceid'));
  });

  it.each([
    ['on its own thread', {}],
    ["on the worker's main thread", { PASTICHE_ORT_THREAD: '0' }],
  ])('the worker running onnxruntime %s leaves no file in home or temp', async (_, extra) => {
    const { env, home, tmp } = cleanEnv(extra);
    const input = await writePhoto(path.join(tmpDir(), 'p.png'), 96, 64);
    const out = path.join(tmpDir(), 'out');
    mkdirSync(out);
    const r = spawnSync(process.execPath, [BIN, 'stylize', input, '--out', out, '--device', 'cpu', '--models-dir', FIXTURE_MODELS], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out)).toHaveLength(1);
    expect(everything(home).filter((f) => !f.startsWith('data'))).toEqual([]);
    expect(everything(tmp)).toEqual([]);
  });
});
