// The runner the worker infers with (electron/worker/ort-runner.ts), in this process: real
// onnxruntime sessions of the fixture pack, no worker process spawned.
import path from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelSpec } from '../../../electron/common/worker-protocol.js';
import { rgbToTensor, tensorToRgb } from '../../../electron/imaging/pixels.js';
import { startOrtHost, type OrtHost } from '../../../electron/worker/ort-host.js';
import { OrtRunner, type RunnerContext } from '../../../electron/worker/ort-runner.js';
import { firstLineRaw } from '../../../electron/worker/providers.js';
import { SessionCache } from '../../../electron/worker/session-cache.js';
import { FIXTURE_MODELS } from '../engine/helpers.js';

const IO = { input: 'input', output: 'output', styleWeights: 'style', stats: 'stats', statsSize: 208, layout: 'NCHW', channels: 'RGB', range: [0, 255], multipleOf: 4 } as const;

const spec = (over: Partial<ModelSpec> = {}): ModelSpec => ({
  id: 'fixture-pack',
  path: path.join(FIXTURE_MODELS, 'fixture-pack.onnx'),
  tilesPath: path.join(FIXTURE_MODELS, 'fixture-pack-tiles.onnx'),
  singlePath: null,
  fp16Path: null,
  fp16TilesPath: null,
  int8Path: null,
  io: { ...IO, range: [0, 255] },
  receptiveField: 34,
  weights: [1, 0, 0],
  ...over,
});

let host: OrtHost;
const context = (gpus: RunnerContext['gpus'] = []): RunnerContext => ({ sessions: new SessionCache(host, 0), gpus, failed: new Map(), errorLine: firstLineRaw });

/** A textured 3-channel image, w x h. */
function photo(w: number, h: number): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) & 255;
  return rgb;
}

beforeAll(async () => {
  ({ host } = await startOrtHost({ PASTICHE_ORT_THREAD: '0' }));
});

describe('OrtRunner', () => {
  it('runs the full graph as onnxruntime does, with the style weights fed', async () => {
    const [w, h] = [24, 16];
    const input = rgbToTensor(photo(w, h), w, h, 0, 0, w, h, IO.range);
    const runner = new OrtRunner(context(), spec({ weights: [0, 1, 0] }), 'cpu', 1);
    const got = await runner.full(input, h, w);
    const ref = await ort.InferenceSession.create(spec().path);
    const want = await ref.run({ input: new ort.Tensor('float32', input, [1, 3, h, w]), style: new ort.Tensor('float32', Float32Array.from([0, 1, 0]), [1, 3]) });
    await ref.release();
    expect(runner.provider).toBe('cpu');
    expect(got.output).toEqual(want['output']?.data);
    expect(got.stats).toEqual(want['stats']?.data);
    expect(got.stats).toHaveLength(2 * IO.statsSize);
  });

  it('single() converts 8-bit RGB in and out of the float graph; another style gives another image', async () => {
    const [w, h] = [16, 12];
    const rgb = photo(w, h);
    const ctx = context();
    const full = await new OrtRunner(ctx, spec(), 'cpu', 1).full(rgbToTensor(rgb, w, h, 0, 0, w, h, IO.range), h, w);
    const single = await new OrtRunner(ctx, spec(), 'cpu', 1).single(rgb, h, w);
    expect(single).toEqual(tensorToRgb(full.output, w, h, w, h, IO.range));
    const other = await new OrtRunner(ctx, spec({ weights: [0, 0, 1] }), 'cpu', 1).single(rgb, h, w);
    expect(Buffer.from(other).equals(Buffer.from(single))).toBe(false);
  });

  it("walks down to the CPU under 'auto' when a GPU provider fails, and says why", async () => {
    const ctx = context(['dml']);
    const runner = new OrtRunner(ctx, spec(), 'auto', 1);
    const out = await runner.single(photo(8, 8), 8, 8);
    expect(out).toHaveLength(8 * 8 * 3);
    expect(runner.provider).toBe('cpu');
    expect(runner.fallbackReason).toMatch(/^dml: /);
    expect(ctx.failed.has('dml')).toBe(true);
  });

  it("refuses 'gpu' without a GPU provider, and names a model file that does not load", async () => {
    expect(() => new OrtRunner(context(), spec(), 'gpu', 1)).toThrow(/^No GPU execution provider is available in this build on /);
    const missing = new OrtRunner(context(), spec({ path: path.join(FIXTURE_MODELS, 'missing.onnx') }), 'cpu', 1);
    await expect(missing.single(photo(8, 8), 8, 8)).rejects.toThrow(/^Cannot load model 'fixture-pack' \(missing\.onnx\): /);
  });
});
