import { describe, expect, it } from 'vitest';
import { move, select, selectAll } from '../../renderer/src/lib/selection';
import { gridLayout, scrollIntoView, visibleRows } from '../../renderer/src/lib/virtual-grid';
import { fitChars, middleEllipsis } from '../../renderer/src/lib/middle-ellipsis';
import type { RenderTimings } from '../../electron/common/types';
import { estimate, formatBytes, formatMs, learnRates, NO_RATES } from '../../renderer/src/lib/estimate';

describe('selection', () => {
  const none = { selected: new Set<number>(), anchor: 0, focus: 0 };
  it('click replaces, ctrl toggles, shift extends from the anchor', () => {
    let s = select(none, 3, { toggle: false, range: false });
    expect([...s.selected]).toEqual([3]);
    s = select(s, 5, { toggle: true, range: false });
    expect([...s.selected].sort()).toEqual([3, 5]);
    s = select(s, 5, { toggle: true, range: false });
    expect([...s.selected]).toEqual([3]);
    s = select({ ...s, anchor: 3 }, 1, { toggle: false, range: true });
    expect([...s.selected].sort()).toEqual([1, 2, 3]);
    expect(s.anchor).toBe(3);
    expect(selectAll(4, 2).selected.size).toBe(4);
    expect(selectAll(0, 0).selected.size).toBe(0);
  });
  it('moves in a grid', () => {
    expect(move(5, 'ArrowDown', 4, 10, 2)).toBe(9);
    expect(move(8, 'ArrowDown', 4, 10, 2)).toBe(8);
    expect(move(5, 'ArrowUp', 4, 10, 2)).toBe(1);
    expect(move(0, 'ArrowLeft', 4, 10, 2)).toBe(0);
    expect(move(9, 'ArrowRight', 4, 10, 2)).toBe(9);
    expect(move(2, 'End', 4, 10, 2)).toBe(9);
    expect(move(9, 'PageUp', 4, 10, 2)).toBe(1);
    expect(move(0, 'x', 4, 10, 2)).toBeNull();
    expect(move(0, 'ArrowRight', 4, 0, 2)).toBeNull();
  });
});

describe('virtual grid', () => {
  it('lays out columns and visible rows', () => {
    const l = gridLayout(300, 5000, 132, 8);
    expect(l.cols).toBe(2);
    expect(l.cell).toBe(146);
    expect(l.rows).toBe(2500);
    const r = visibleRows(154 * 100, 600, l, 2);
    expect(r.first).toBe(98);
    expect(r.last).toBeLessThanOrEqual(106);
    expect(visibleRows(0, 600, gridLayout(300, 0), 2)).toEqual({ first: 0, last: -1 });
    expect(scrollIntoView(0, 500, 600, l)).toBe(0);
    expect(scrollIntoView(2, 0, 600, l)).toBeNull();
    expect(scrollIntoView(3, 0, 600, l)).toBe(3 * 154 + 146 - 600);
    expect(scrollIntoView(10, 0, 600, l)).toBe(10 * 154 + 146 - 600);
  });
});

describe('estimate', () => {
  const limits = { tilePixels: 3_000_000, statsEdge: 1024 };
  const plan = { mode: 'two-scale' as const, width: 4000, height: 3000, brushWidth: 1024, brushHeight: 768, detailWidth: 1825, detailHeight: 1369 };
  const timings = (over: Partial<RenderTimings> = {}): RenderTimings => ({
    passes: [
      { kind: 'brush', width: 1024, height: 768, tiles: 1, ms: 1573 },
      { kind: 'detail', width: 1825, height: 1369, tiles: 1, ms: 3748 },
    ],
    decodeMs: 600,
    decodePixels: 12e6,
    reduceMs: 480,
    reducePixels: 12e6,
    outputMs: 300,
    outputPixels: 1080 * 810,
    blend: true,
    ...over,
  });

  it('learns ms/MP per kind of work; tiny passes and non-blending renders do not set the blend rate', () => {
    const r = learnRates(NO_RATES, timings());
    expect(r.single).toBeCloseTo((1573 + 3748) / ((1024 * 768 + 1825 * 1369) / 1e6), 6);
    expect(r.decode).toBeCloseTo(50, 6);
    expect(r.reduce).toBeCloseTo(40, 6);
    expect(r.output).toBeCloseTo(300 / 0.8748, 3);
    expect(r.tiled).toBeNull();
    const r2 = learnRates(r, timings({ passes: [{ kind: 'brush', width: 200, height: 150, tiles: 1, ms: 99 }], outputMs: 10, blend: false }));
    expect(r2.single).toBe(r.single);
    expect(r2.output).toBe(r.output);
    expect(r2.finish).toBeCloseTo(10 / 0.8748, 3);
    expect(learnRates(r, timings({ passes: [{ kind: 'paint', width: 4000, height: 3000, tiles: 8, ms: 24000 }] })).tiled).toBe(2000);
  });

  it('time = decode + reduction + each pass of the plan at its rate + output work; memory from buffers + the largest pass', () => {
    const rates = { single: 2000, tiled: null, decode: 50, reduce: 40, output: 300, finish: 100 };
    const e = estimate(plan, 4000, 3000, rates, limits);
    expect(e.megapixels).toBe(12);
    expect(e.passes.map((p) => [p.kind, p.tiled])).toEqual([
      ['brush', false],
      ['detail', false],
    ]);
    expect(e.ms).toBeCloseTo(50 * 12 + 40 * 12 + 300 * 12 + 2000 * ((1024 * 768 + 1825 * 1369) / 1e6), 6);
    expect(e.memBytes).toBe(12e6 * 3 + 12e6 * 18 + 1825 * 1369 * 440);
    // Native: one tiled pass with its overlap and statistics pass, at the single rate until a tiled one ran.
    const native = estimate({ ...plan, mode: 'paint', brushWidth: 4000, brushHeight: 3000, detailWidth: 4000, detailHeight: 3000 }, 4000, 3000, rates, limits);
    expect(native.passes).toEqual([{ kind: 'paint', width: 4000, height: 3000, tiled: true }]);
    expect(native.ms).toBeCloseTo(50 * 12 + 100 * 12 + 2000 * (1.06 * 12 + (1024 * 1024 * 0.75) / 1e6), 6);
    // Once a tiled pass ran, its own rate (overlap and statistics pass included) applies as measured.
    const measured = estimate({ ...plan, mode: 'paint', brushWidth: 4000, brushHeight: 3000, detailWidth: 4000, detailHeight: 3000 }, 4000, 3000, { ...rates, tiled: 1800 }, limits);
    expect(measured.ms).toBeCloseTo(50 * 12 + 100 * 12 + 1800 * 12, 6);
    expect(estimate(plan, 4000, 3000, NO_RATES, limits).ms).toBeNull();
    expect(formatMs(450)).toBe('450 ms');
    expect(formatMs(6000)).toBe('6.0 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GB');
  });
});

describe('middleEllipsis', () => {
  it('keeps the start and the end of a long name, whole names untouched', () => {
    expect(middleEllipsis('a.jpg', 10)).toBe('a.jpg');
    const cut = middleEllipsis('Bridge_at_Argenteuil_DSC_0412.jpg', 20);
    expect(cut).toBe('Bridge_at_A…0412.jpg');
    expect([...cut]).toHaveLength(20);
    expect(fitChars(112, 11)).toBe(18);
  });
});
