import { describe, expect, it } from 'vitest';
import { DroppedPaths, takeDropped } from '../../../electron/services/drops.js';

describe('DroppedPaths (what the preload saw dropped, per window)', () => {
  it('accepts only recorded paths of the same window, within the TTL, once', () => {
    const d = new DroppedPaths(1000);
    expect(d.record(1, ['/photos/a', '/photos/b.jpg'], 0)).toBe(2);
    expect(d.take(2, ['/photos/a'], 10)).toEqual({ missing: ['/photos/a'] });
    expect(d.take(1, ['/photos/a', '/etc'], 10)).toEqual({ missing: ['/etc'] });
    // Nothing was consumed by the refused call.
    expect(d.size(1, 10)).toBe(2);
    expect(d.take(1, ['/photos/a'], 10)).toEqual({ missing: [] });
    expect(d.take(1, ['/photos/a'], 11)).toEqual({ missing: ['/photos/a'] });
    // Expired.
    expect(d.take(1, ['/photos/b.jpg'], 1000)).toEqual({ missing: ['/photos/b.jpg'] });
    expect(d.size(1, 1000)).toBe(0);
  });

  it('normalizes spellings and ignores malformed reports', () => {
    const d = new DroppedPaths(1000);
    expect(d.record(1, ['/photos//x/', 'relative/y', '', '/a/../etc', 42, '/nul\0'], 0)).toBe(1);
    expect(d.missing(1, ['/photos/x'], 1)).toEqual([]);
    expect(d.record(1, 'not an array', 0)).toBe(0);
    expect(d.record(1, null, 0)).toBe(0);
  });

  it('caps the paths kept per window and forgets a window', () => {
    const d = new DroppedPaths(1000, 3);
    expect(d.record(1, ['/a', '/b', '/c', '/d'], 0)).toBe(3);
    expect(d.missing(1, ['/a', '/d'], 1)).toEqual(['/d']);
    // Re-recording a known path refreshes it even at the cap.
    expect(d.record(1, ['/a'], 500)).toBe(1);
    expect(d.missing(1, ['/a', '/b'], 1200)).toEqual(['/b']);
    d.forget(1);
    expect(d.size(1)).toBe(0);
  });

  it('takeDropped waits briefly for a report that arrives after the call', async () => {
    const d = new DroppedPaths();
    setTimeout(() => d.record(3, ['/late']), 30);
    // A grace far longer than the wait: it returns as soon as the report lands, and a stalled
    // machine (a check due before the report's timer, run after the deadline) cannot fail it.
    expect(await takeDropped(d, 3, ['/late'], 60_000, 5)).toEqual({ missing: [] });
    const t = Date.now();
    expect(await takeDropped(d, 3, ['/never'], 60, 5)).toEqual({ missing: ['/never'] });
    expect(Date.now() - t).toBeGreaterThanOrEqual(55);
  });
});
