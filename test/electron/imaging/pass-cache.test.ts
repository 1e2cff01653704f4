import { describe, expect, it } from 'vitest';
import { PASS_CACHE_BYTES, PassCache, passCacheBytes } from '../../../electron/imaging/pass-cache.js';

describe('PassCache', () => {
  it('evicts the least recently used entries beyond its bound in bytes', () => {
    const c = new PassCache(100);
    c.set('a', 'A', 40);
    c.set('b', 'B', 40);
    expect(c.get('a')).toBe('A'); // a is now the most recent
    c.set('c', 'C', 40);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe('A');
    expect(c.get('c')).toBe('C');
    expect(c.bytes).toBe(80);
    c.set('huge', 'H', 101);
    expect(c.get('huge')).toBeUndefined();
    expect(c.size).toBe(2);
  });

  it('computes once through the store, and not at all when told not to keep it', async () => {
    const c = new PassCache(100);
    let made = 0;
    const make = async (): Promise<string> => `v${++made}`;
    expect(await c.through('k', make, () => 10)).toBe('v1');
    expect(await c.through('k', make, () => 10)).toBe('v1');
    expect(await c.through('other', make, () => 10, false)).toBe('v2');
    expect(c.get('other')).toBeUndefined();
  });

  it('reads its bound from PASTICHE_PASS_CACHE_MB', () => {
    expect(passCacheBytes({})).toBe(PASS_CACHE_BYTES);
    expect(passCacheBytes({ PASTICHE_PASS_CACHE_MB: '64' })).toBe(64 * 1024 * 1024);
    expect(passCacheBytes({ PASTICHE_PASS_CACHE_MB: '0' })).toBe(0);
    expect(passCacheBytes({ PASTICHE_PASS_CACHE_MB: 'lots' })).toBe(PASS_CACHE_BYTES);
  });
});
