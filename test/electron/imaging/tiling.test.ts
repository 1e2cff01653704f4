import { describe, expect, it } from 'vitest';
import { axisWeights, planAxis, planTiles, rampIn } from '../../../electron/imaging/tiling.js';
import { TileAccumulator, reflect } from '../../../electron/imaging/pixels.js';

describe('tiling math', () => {
  it('single tile when the image fits', () => {
    expect(planAxis(500, 512, 34, 4)).toEqual([{ start: 0, length: 500 }]);
  });

  it('covers every length with overlaps >= receptive field, aligned starts, weights summing to 1', () => {
    for (const length of [513, 700, 1001, 1999, 3840, 4321]) {
      for (const [tile, overlap] of [
        [512, 34],
        [256, 40],
        [1024, 64],
      ] as const) {
        const spans = planAxis(length, tile, overlap, 4);
        expect(spans[0]?.start).toBe(0);
        const last = spans[spans.length - 1]!;
        expect(last.start + last.length).toBe(length);
        for (let i = 0; i < spans.length; i++) {
          const s = spans[i]!;
          expect(s.start % 4).toBe(0);
          expect(s.length).toBeLessThan(tile + 4);
          if (i > 0) {
            const p = spans[i - 1]!;
            expect(p.start + p.length - s.start).toBeGreaterThanOrEqual(overlap);
          }
        }
        const sum = new Float64Array(length);
        spans.forEach((s, i) => axisWeights(spans, i).forEach((w, k) => (sum[s.start + k] = (sum[s.start + k] ?? 0) + w)));
        for (let x = 0; x < length; x++) expect(sum[x]).toBeGreaterThan(0.999);
        // Away from triple overlaps the pairwise ramps are an exact partition of unity.
        if (spans.every((s, i) => i < 2 || spans[i - 2]!.start + spans[i - 2]!.length <= s.start)) {
          for (let x = 0; x < length; x++) expect(sum[x]).toBeCloseTo(1, 5);
        }
      }
    }
  });

  it('tiles shrink to fit the axis: overlaps stay near the receptive field, not the budget', () => {
    // 4K at the default 3 MP budget (tile edge 1732): 3 x 2 tiles of 1324 x 1112, not 1732 x 1732.
    expect(planAxis(3840, 1732, 58, 4).map((s) => s.length)).toEqual([1324, 1324, 1324]);
    expect(planAxis(2160, 1732, 58, 4).map((s) => s.length)).toEqual([1112, 1112]);
    for (const length of [1733, 2160, 3840, 5774, 8660]) {
      for (const tile of [1340, 1732, 2048]) {
        const spans = planAxis(length, tile, 58, 4);
        for (let i = 1; i < spans.length; i++) {
          const overlap = spans[i - 1]!.start + spans[i - 1]!.length - spans[i]!.start;
          expect(overlap).toBeGreaterThanOrEqual(58);
          expect(overlap).toBeLessThanOrEqual(60 + 3 * 4);
        }
      }
    }
  });

  it('ramps are linear and skip a dead margin at tile edges', () => {
    expect(rampIn(0, 0, 40)).toBe(0);
    expect(rampIn(9, 0, 40)).toBe(0);
    expect(rampIn(10, 0, 40)).toBeCloseTo(0.5 / 20);
    expect(rampIn(29, 0, 40)).toBeCloseTo(19.5 / 20);
    expect(rampIn(30, 0, 40)).toBe(1);
  });

  it('2-D grid blends back a constant exactly', () => {
    const W = 300,
      H = 211;
    const g = planTiles(W, H, { tileSize: 128, overlap: 20, multipleOf: 4 });
    expect(g.tiles.length).toBe(g.cols.length * g.rows.length);
    const acc = new TileAccumulator(W, H);
    for (const t of g.tiles) {
      const pw = Math.ceil(t.width / 4) * 4,
        ph = Math.ceil(t.height / 4) * 4;
      acc.add(new Float32Array(3 * pw * ph).fill(77), pw, ph, t.x, t.y, t.width, t.height, axisWeights(g.cols, t.col), axisWeights(g.rows, t.row));
    }
    expect(acc.toRgb().every((v) => v === 77)).toBe(true);
  });

  it('banded accumulation (one tile row of floats) equals whole-frame accumulation', () => {
    const W = 301,
      H = 397;
    const g = planTiles(W, H, { tileSize: 96, overlap: 16, multipleOf: 4 });
    expect(g.rows.length).toBeGreaterThan(3);
    const bandRows = Math.max(...g.rows.map((r) => r.length));
    const whole = new TileAccumulator(W, H);
    const banded = new TileAccumulator(W, H, [0, 255], bandRows);
    let seed = 1;
    const rnd = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 255;
    for (const t of g.tiles) {
      const pw = Math.ceil(t.width / 4) * 4,
        ph = Math.ceil(t.height / 4) * 4;
      const tile = Float32Array.from({ length: 3 * pw * ph }, rnd);
      const wx = axisWeights(g.cols, t.col),
        wy = axisWeights(g.rows, t.row);
      whole.add(tile, pw, ph, t.x, t.y, t.width, t.height, wx, wy);
      banded.add(tile, pw, ph, t.x, t.y, t.width, t.height, wx, wy);
    }
    expect(banded.toRgb().equals(whole.toRgb())).toBe(true);
  });

  it('reflect mirrors without repeating the edge', () => {
    expect([-2, -1, 0, 4, 5, 6].map((i) => reflect(i, 5))).toEqual([2, 1, 0, 4, 3, 2]);
  });
});
