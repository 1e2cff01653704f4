import { describe, expect, it } from 'vitest';
import { brushPlan } from '../../electron/imaging/brush';
import { passPlan } from '../../electron/imaging/brush-paint';
import { fitLongEdge } from '../../electron/common/geometry';
import { averaged, estimate, learnRates, NO_RATES, type Rates } from '../../renderer/src/lib/estimate';
import type { RenderTimings } from '../../electron/common/types';

const limits = { tilePixels: 3_000_000, statsEdge: 1024 };
const SIZES = [512, 1024, 1536, 2048, 3072, 3840, 4352, 5000, 6000, 8000];

function estimates(rates: Rates, brush: number | 'native'): number[] {
  return SIZES.map((size) => {
    const { width, height } = fitLongEdge(8000, 6000, size);
    const e = estimate(passPlan(brushPlan(width, height, brush), width, height), 8000, 6000, rates, limits);
    return e.ms ?? NaN;
  });
}

describe('export estimates', () => {
  // Measured sets: a quick tiled graph (GPU-like), a slow one, and a finishing rate above the blend's.
  const sets: Rates[] = [
    { single: 2000, tiled: 900, decode: 50, reduce: 40, output: 300, finish: 100 },
    { single: 1500, tiled: 4000, decode: 30, reduce: 20, output: 150, finish: 400 },
    { single: 2000, tiled: null, decode: 50, reduce: 40, output: 300, finish: null },
  ];

  it('never estimate a larger export quicker than a smaller one (4K above Original is impossible)', () => {
    for (const rates of sets) {
      for (const brush of [512, 1024, 2048, 'native'] as const) {
        const ms = estimates(rates, brush);
        for (let i = 1; i < ms.length; i++) expect(ms[i], `${JSON.stringify(rates)} brush ${brush}: ${SIZES[i - 1]} -> ${SIZES[i]}`).toBeGreaterThanOrEqual(ms[i - 1]!);
      }
    }
  });

  it('a rate is a robust moving average, not the latest measurement', () => {
    expect(averaged(null, 1000)).toBe(1000);
    // One render five times slower (the machine busy) moves the rate by at most 30 %.
    expect(averaged(1000, 5000)).toBe(1300);
    expect(averaged(1000, 100)).toBe(850);
    // A lasting change is followed within a few renders.
    let r = 1000;
    for (let i = 0; i < 8; i++) r = averaged(r, 2000);
    expect(r).toBeGreaterThan(1900);
  });

  it('the same photo previewed twice gives estimates within the averaging of each other', () => {
    const t = (ms: number): RenderTimings => ({
      passes: [{ kind: 'detail', width: 1825, height: 1369, tiles: 1, ms }],
      decodeMs: 600,
      decodePixels: 12e6,
      reduceMs: 200,
      reducePixels: 12e6,
      outputMs: 300,
      outputPixels: 2.5e6,
      blend: true,
    });
    const a = learnRates(NO_RATES, t(5000));
    // The second preview ran while thumbnails competed: twice as slow.
    const b = learnRates(a, t(10_000));
    expect(b.single! / a.single!).toBeCloseTo(1.3, 6);
  });
});
