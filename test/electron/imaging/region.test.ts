import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/index.js';
import { clampRect, cropRect, uncovered } from '../../../electron/imaging/region.js';
import { FIXTURE_MODELS, WORKER, ensureBuilt, tmpDir, writePhoto } from '../engine/helpers.js';

let engine: Engine;
let dir: string;
let photo: string;

beforeAll(async () => {
  ensureBuilt();
  dir = tmpDir();
  photo = await writePhoto(path.join(dir, 'p.png'), 640, 480, 3);
  // A small tile budget: the native export of this photo is tiled, as a large photo's is.
  engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu', tilePixels: 90_000 });
});

afterAll(async () => {
  await engine?.close();
});

async function meanDiff(brush: 256 | 'native', rect: { x: number; y: number; width: number; height: number }): Promise<{ mean: number; cached: boolean[] }> {
  const opts = { exportSize: 'original' as const, brush, strength: 0.8, preserveColors: true };
  const first = await engine.region(photo, { ...opts, rect });
  const panned = await engine.region(photo, { ...opts, rect: { ...rect, x: rect.x + 40 } });
  const out = path.join(dir, `export-${brush}.png`);
  const f = await engine.stylizeFile(photo, { outputPath: out }, { size: 'original', brush, format: 'png', strength: 0.8, preserveColors: true, keepMetadata: false });
  expect(f.status).toBe('ok');
  const full = await sharp(out).raw().toBuffer({ resolveWithObject: true });
  let worst = 0;
  for (const r of [first, panned]) {
    const crop = cropRect(full.data, full.info.width, r.rect, full.info.channels);
    const view = await sharp(r.data).raw().toBuffer();
    let sum = 0;
    for (let i = 0; i < view.length; i++) sum += Math.abs(view[i]! - crop[i]!);
    worst = Math.max(worst, sum / view.length);
  }
  return { mean: worst, cached: [first.cached, panned.cached] };
}

describe('the 1:1 view (preview:region)', () => {
  it('two-scale brush: the region is the same crop of the exported PNG, and a pan reuses the passes', async () => {
    const r = await meanDiff(256, { x: 100, y: 60, width: 300, height: 200 });
    expect(r.mean).toBe(0);
    expect(r.cached).toEqual([false, true]);
  });

  it('native, tiled: the region with the whole photo statistics equals the export up to the cross-fade', async () => {
    const r = await meanDiff('native', { x: 250, y: 150, width: 300, height: 250 });
    expect(r.mean).toBeLessThanOrEqual(2);
    expect(r.cached).toEqual([false, true]);
  });

  it('a pan paints only what it uncovers', () => {
    const last = { x: 100, y: 100, width: 300, height: 200 };
    expect(uncovered({ x: 140, y: 100, width: 300, height: 200 }, last)).toEqual([{ x: 400, y: 100, width: 40, height: 200 }]);
    expect(uncovered({ x: 90, y: 80, width: 300, height: 200 }, last)).toEqual([
      { x: 90, y: 80, width: 300, height: 20 },
      { x: 90, y: 100, width: 10, height: 180 },
    ]);
    expect(uncovered({ x: 1000, y: 0, width: 50, height: 50 }, last)).toEqual([{ x: 1000, y: 0, width: 50, height: 50 }]);
    expect(uncovered(last, last)).toEqual([]);
  });

  it('a rectangle reaching past the export is cut to it; one outside it is refused', async () => {
    const r = await engine.region(photo, { exportSize: 320, brush: 256, strength: 1, preserveColors: false, rect: { x: 300, y: 200, width: 100, height: 100 } });
    expect(r.rect).toEqual({ x: 300, y: 200, width: 20, height: 40 });
    expect(r.exportWidth).toBe(320);
    expect(() => clampRect({ x: 320, y: 0, width: 10, height: 10 }, 320, 240)).toThrow('Expected a rectangle within the 320x240 export but received 10x10 at (320, 0)');
    await expect(engine.region(photo, { exportSize: 320, brush: 256, strength: 1, preserveColors: false, rect: { x: 0, y: 0, width: 0, height: 10 } })).rejects.toThrow(
      'Expected integer between 1 and 4096 for rect.width but received 0',
    );
  });
});
