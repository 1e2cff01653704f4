import { describe, expect, it } from 'vitest';
import { move, select, selectAll } from '../../renderer/src/lib/selection';
import { gridLayout, scrollIntoView, visibleRows } from '../../renderer/src/lib/virtual-grid';
import { estimate, formatBytes, formatMs, scaledSize } from '../../renderer/src/lib/estimate';

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
  it('scales without upscaling', () => {
    expect(scaledSize(4000, 3000, 1920)).toEqual({ width: 1920, height: 1440 });
    expect(scaledSize(800, 600, 1920)).toEqual({ width: 800, height: 600 });
    expect(scaledSize(4000, 3000, 'original')).toEqual({ width: 4000, height: 3000 });
  });
  it('time from ms/MP, memory from buffers + one tile', () => {
    const e = estimate(4000, 3000, 'original', 500, 1449);
    expect(e.megapixels).toBe(12);
    expect(e.ms).toBe(6000);
    expect(e.memBytes).toBe(12e6 * 3 + 12e6 * 24 + 1449 * 1449 * 440);
    expect(estimate(4000, 3000, 'original', null, 1449).ms).toBeNull();
    expect(formatMs(450)).toBe('450 ms');
    expect(formatMs(6000)).toBe('6.0 s');
    expect(formatMs(125_000)).toBe('2 min 5 s');
    expect(formatBytes(1.5 * 1024 ** 3)).toBe('1.5 GB');
  });
});
