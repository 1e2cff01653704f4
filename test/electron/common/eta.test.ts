import { describe, expect, it } from 'vitest';
import { BatchEta, photoFraction } from '../../../electron/common/eta.js';

/**
 * A batch as the engine reports it: 10 photos of 4-13 MP (the sizes of the photographer's test
 * folder) painted one at a time at 0.75 ms per kilopixel with +-25 % jitter, the first paying a
 * 3 s model start; progress from the worker every 250 ms within each photo.
 */
function replay(eta: BatchEta, mps: number[]): { t: number; eta: number | null; actualLeft: number }[] {
  let seed = 7;
  const jitter = (): number => {
    seed = (seed * 16807) % 2147483647;
    return 0.75 + 0.5 * (seed / 2147483647);
  };
  const costs = mps.map((mp, i) => mp * 1e6 * 0.00075 * jitter() + (i === 0 ? 3000 : 0));
  const end = costs.reduce((a, b) => a + b, 0);
  const seen: { t: number; eta: number | null; actualLeft: number }[] = [];
  let t = 0;
  mps.forEach((mp, i) => {
    const start = t;
    eta.started(i, start);
    for (let u = start + 250; u < start + costs[i]!; u += 250) {
      eta.progress(i, photoFraction('infer', (u - start) / costs[i]!));
      seen.push({ t: u, eta: eta.eta(i, u), actualLeft: end - u });
    }
    t = start + costs[i]!;
    eta.finished(i, mp * 1e6, costs[i]!);
    seen.push({ t, eta: eta.eta(i + 1, t), actualLeft: end - t });
  });
  return seen;
}

describe('BatchEta', () => {
  const mps = [10.7, 4.2, 12.9, 6.3, 8, 13.4, 5.1, 6.3, 9.6, 4.4];

  it('once a photo is done, counts down steadily: a quarter-second apart it never moves by more than 3 s', () => {
    const first = 10.7 * 1e6 * 0.00075 * 0.75 + 3000;
    const seen = replay(new BatchEta(mps.length, { concurrency: 1 }), mps).filter((s) => s.t >= first);
    for (let k = 1; k < seen.length; k++) {
      const step = Math.abs(seen[k]!.eta! - seen[k - 1]!.eta!);
      expect(step, `at ${Math.round(seen[k]!.t)} ms`).toBeLessThan(3000);
    }
  });

  it('after the first photos, stays within 40 % of the real time left (the photos left are of unknown size)', () => {
    const seen = replay(new BatchEta(mps.length, { concurrency: 1 }), mps);
    const later = seen.filter((s) => s.t > 20_000 && s.actualLeft > 15_000);
    expect(later.length).toBeGreaterThan(20);
    for (const s of later) expect(Math.abs(s.eta! - s.actualLeft) / s.actualLeft, `at ${Math.round(s.t)} ms`).toBeLessThan(0.4);
  });

  it('a one-photo export has a moving fraction and a time left from its own progress', () => {
    const eta = new BatchEta(1, { concurrency: 1 });
    eta.started(0, 0);
    expect(eta.eta(0, 100)).toBeNull();
    eta.progress(0, photoFraction('decode', 1));
    eta.progress(0, photoFraction('infer', 0.5));
    expect(eta.fraction(0)).toBeCloseTo(0.5);
    // Half done in 4 s: about 4 s left.
    expect(eta.eta(0, 4000)).toBe(4000);
    eta.finished(0, 1e6, 8000);
    expect(eta.fraction(1)).toBe(1);
  });

  it('maps the worker stages onto a photo: decode, inference by passes and tiles, then the rest', () => {
    expect([photoFraction('decode', 1), photoFraction('infer', 0), photoFraction('infer', 0.5), photoFraction('encode', 1)]).toEqual([0.1, 0.1, 0.5, 1]);
  });
});
