import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/index.js';
import type { BatchProgress } from '../../../electron/common/types.js';
import { FIXTURE_MODELS, WORKER, ensureBuilt, tmpDir, writePhoto } from './helpers.js';

beforeAll(() => {
  ensureBuilt();
});

/** One 640x480 photo exported tiled (small budget) at brush 256: a brush pass, then a tiled detail pass. */
async function exportOne(progressIntervalMs: number): Promise<BatchProgress[]> {
  const d = tmpDir();
  const input = await writePhoto(path.join(d, 'p.png'), 640, 480, 2);
  const out = path.join(d, 'out');
  mkdirSync(out);
  const engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu', tilePixels: 60_000, progressIntervalMs });
  const seen: BatchProgress[] = [];
  try {
    const r = await engine.runBatch([input], out, { brush: 256 }, (p) => seen.push(p));
    expect(r.files.map((f) => f.status)).toEqual(['ok']);
  } finally {
    await engine.close();
  }
  return seen;
}

describe('batch progress within a photo', () => {
  it('a one-photo export reports its passes and tiles: the fraction moves before the photo is done', async () => {
    // Interval 0: every pass and tile the worker reports is passed on, however fast the machine.
    const seen = await exportOne(0);
    const within = seen.filter((p) => p.done === 0 && (p.fraction ?? 0) > 0);
    expect(within.length).toBeGreaterThan(0);
    const tiles = within.map((p) => /^detail pass, tile (\d+) of (\d+)$/.exec(p.stage ?? '')).filter((m) => m !== null);
    expect(tiles.length).toBeGreaterThan(1);
    expect(tiles.map((m) => Number(m[1]))).toEqual(tiles.map((_, i) => i + 1));
    const fractions = seen.map((p) => p.fraction ?? 0);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ done: 1, total: 1, fraction: 1, etaMs: 0 });
  });

  it('updates from within a photo are thinned to the interval; those between photos are always sent', async () => {
    // An interval longer than the run: only the start of the photo and its end are sent.
    const seen = await exportOne(60_000);
    expect(seen.map((p) => [p.done, p.current === null ? null : path.basename(p.current)])).toEqual([
      [0, null],
      [0, 'p.png'],
      [1, null],
    ]);
  });

  it('refuses a negative interval with a precise message', async () => {
    await expect(Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu', progressIntervalMs: -1 })).rejects.toThrow(
      'Expected integer between 0 and 60000 for progressIntervalMs but received -1',
    );
  });
});
