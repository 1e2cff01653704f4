import { describe, expect, it } from 'vitest';
import { stylizePixels, type ModelRunner } from '../../../electron/imaging/pipeline.js';
import type { ModelSpec } from '../../../electron/engine/worker-protocol.js';

const model: ModelSpec = {
  id: 'fake', path: 'fake.onnx', tilesPath: 'fake-tiles.onnx', singlePath: 'fake-single.onnx', fp16Path: null, fp16TilesPath: null, int8Path: null,
  io: { input: 'input', output: 'output', styleWeights: null, stats: 'stats', statsSize: 4, layout: 'NCHW', channels: 'RGB', range: [0, 255], multipleOf: 4 },
  receptiveField: 8, weights: null,
};

/** An identity "model" that records which graph each call used. */
function fakeRunner(withSingle: boolean): ModelRunner & { calls: string[] } {
  const calls: string[] = [];
  const r: ModelRunner & { calls: string[] } = {
    provider: 'cpu', fallbackReason: undefined, calls,
    full: async (input) => {
      calls.push('full');
      return { output: input.slice(), stats: new Float32Array(8) };
    },
    tile: async (input) => {
      calls.push('tile');
      return input.slice();
    },
  };
  if (withSingle) {
    r.single = async (input) => {
      calls.push('single');
      return input.slice();
    };
  }
  return r;
}

function photo(w: number, h: number): Buffer {
  const b = Buffer.alloc(w * h * 3);
  for (let i = 0; i < b.length; i++) b[i] = (i * 37 + (i >> 5)) & 255;
  return b;
}

describe('stylizePixels: which graph runs', () => {
  const never = { cancelled: false };

  it('a photo within the tile budget uses the single-pass graph (no statistics)', async () => {
    const runner = fakeRunner(true);
    const rgb = photo(62, 46);
    const r = await stylizePixels(rgb, 62, 46, runner, { model, tilePixels: 10_000, statsEdge: 32 }, never);
    expect(runner.calls).toEqual(['single']);
    expect(r.tiles).toBe(1);
    expect(r.rgb.equals(rgb)).toBe(true);
  });

  it('without a single-pass graph the full graph runs, its statistics unread', async () => {
    const runner = fakeRunner(false);
    const rgb = photo(62, 46);
    const r = await stylizePixels(rgb, 62, 46, runner, { model, tilePixels: 10_000, statsEdge: 32 }, never);
    expect(runner.calls).toEqual(['full']);
    expect(r.rgb.equals(rgb)).toBe(true);
  });

  it('a photo above the budget: the full graph once for statistics, then tiles; never the single graph', async () => {
    const runner = fakeRunner(true);
    const rgb = photo(200, 120);
    const r = await stylizePixels(rgb, 200, 120, runner, { model, tilePixels: 6_000, statsEdge: 64 }, never);
    expect(runner.calls[0]).toBe('full');
    expect(runner.calls.slice(1).every((c) => c === 'tile')).toBe(true);
    expect(r.tiles).toBe(runner.calls.length - 1);
    expect(r.tiles).toBeGreaterThan(1);
    expect(r.rgb.equals(rgb)).toBe(true);
  });
});
