// The onnxruntime host of the worker process (electron/worker/ort-host.ts): sessions on a thread of
// their own, errors back as rejections, and the fallback onto the calling thread.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { startOrtHost, type OrtHost } from '../../../electron/worker/ort-host.js';
import { tinyReluModel } from '../../../electron/worker/tiny-model.js';
import { ROOT, ensureBuilt, tmpDir } from '../engine/helpers.js';

const THREAD = pathToFileURL(path.join(ROOT, 'dist/electron/worker/ort-thread.js'));
beforeAll(() => ensureBuilt());

async function relu(host: OrtHost): Promise<number[]> {
  const s = await host.create(tinyReluModel(), { executionProviders: ['cpu'] });
  const out = await s.run({ x: { type: 'float32', data: Float32Array.from([-1, 0, 1, 2]), dims: [4] } });
  await s.release();
  return [...(out['y']?.data ?? [])];
}

describe('onnxruntime host', () => {
  it('runs sessions on its own thread; a failed run rejects with the onnxruntime message and the host goes on', async () => {
    const { host, fallback } = await startOrtHost({}, THREAD);
    expect([host.mode, fallback]).toEqual(['thread', null]);
    expect(host.info.backends.map((b) => b.name)).toContain('cpu');
    expect(await relu(host)).toEqual([0, 0, 1, 2]);
    const s = await host.create(tinyReluModel(), { executionProviders: ['cpu'] });
    expect(s.inputMetadata).toEqual([{ name: 'x', isTensor: true, type: 'float32' }]);
    await expect(s.run({ nope: { type: 'float32', data: new Float32Array(4), dims: [4] } })).rejects.toThrow("input 'x' is missing in 'feeds'");
    expect((await s.run({ x: { type: 'float32', data: Float32Array.from([3, -3, 5, -5]), dims: [4] } }))['y']?.data).toEqual(Float32Array.from([3, 0, 5, 0]));
    await expect(host.create(path.join(tmpDir(), 'missing.onnx'), { executionProviders: ['cpu'] })).rejects.toThrow(/missing\.onnx/);
  });

  it('falls back onto the calling thread, saying why, when the thread cannot start', async () => {
    const { host, fallback } = await startOrtHost({}, pathToFileURL(path.join(tmpDir(), 'no-such-thread.js')));
    expect(host.mode).toBe('inline');
    expect(fallback).toMatch(/^onnxruntime thread did not start \(.*no-such-thread\.js.*\); running it on the worker's main thread$/);
    expect(await relu(host)).toEqual([0, 0, 1, 2]);
  });

  it('PASTICHE_ORT_THREAD=0 asks for the calling thread', async () => {
    const { host, fallback } = await startOrtHost({ PASTICHE_ORT_THREAD: '0' }, THREAD);
    expect([host.mode, fallback]).toEqual(['inline', 'PASTICHE_ORT_THREAD=0']);
    expect(await relu(host)).toEqual([0, 0, 1, 2]);
  });
});
