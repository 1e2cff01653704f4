import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../electron/engine/index.js';
import type { BatchProgress } from '../../../electron/common/types.js';
import { FIXTURE_MODELS, WORKER, ensureBuilt, tmpDir, writePhoto } from './helpers.js';

beforeAll(() => {
  ensureBuilt();
});

describe('batch progress within a photo', () => {
  it('a one-photo export reports its passes and tiles: the fraction moves before the photo is done', async () => {
    const d = tmpDir();
    const input = await writePhoto(path.join(d, 'p.png'), 640, 480, 2);
    const out = path.join(d, 'out');
    mkdirSync(out);
    // Tiled (small budget), brush 256: a brush pass then a tiled detail pass.
    const engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu', tilePixels: 60_000 });
    const seen: BatchProgress[] = [];
    try {
      const r = await engine.runBatch([input], out, { brush: 256 }, (p) => seen.push(p));
      expect(r.files.map((f) => f.status)).toEqual(['ok']);
    } finally {
      await engine.close();
    }
    const within = seen.filter((p) => p.done === 0 && (p.fraction ?? 0) > 0);
    expect(within.length).toBeGreaterThan(0);
    expect(within.some((p) => /^detail pass, tile \d+ of \d+$/.test(p.stage ?? ''))).toBe(true);
    const fractions = seen.map((p) => p.fraction ?? 0);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ done: 1, total: 1, fraction: 1, etaMs: 0 });
  });
});
