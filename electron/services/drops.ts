// "Recently dropped" paths, per window (webContents id), as reported by the preload.
//
// A page can call `gallery:addPaths` with any string, so the page's word is not consent.
// The preload (isolated world) sees the real `drop` event, resolves each File with
// Electron's webUtils.getPathForFile (a File built in JS has no path), and reports the paths
// to main on an internal channel the page cannot reach. `gallery:addPaths` then only accepts
// paths main saw dropped on that same window, shortly before. Entries are consumed when used.
// Pure bookkeeping: no I/O, time is a parameter.

import path from 'node:path';
import { pathProblem } from './roots.js';

export const DROP_TTL_MS = 15_000;
/** Most paths kept per window (a drop of a huge selection keeps its first ones). */
export const DROP_MAX_PATHS = 10_000;

/** Same spelling rules on both sides: normalized, no trailing separator (no I/O). */
function key(p: string): string {
  const n = path.normalize(p);
  const trimmed = n.replace(/[\\/]+$/, '');
  return trimmed.length > 0 && trimmed !== path.parse(n).root.replace(/[\\/]+$/, '') ? trimmed : n;
}

export interface TakeResult {
  /** The requested paths that were not dropped on this window recently (nothing is consumed then). */
  missing: string[];
}

export class DroppedPaths {
  readonly ttlMs: number;
  readonly maxPaths: number;
  // owner -> (normalized path -> expiry, ms since epoch)
  readonly #byOwner = new Map<number, Map<string, number>>();

  constructor(ttlMs = DROP_TTL_MS, maxPaths = DROP_MAX_PATHS) {
    this.ttlMs = ttlMs;
    this.maxPaths = maxPaths;
  }

  /**
   * Record a drop reported by the preload of window `owner`. Anything that is not a
   * well-formed absolute path is ignored (the report crosses a process boundary).
   * Returns how many paths were recorded.
   */
  record(owner: number, paths: unknown, now = Date.now()): number {
    if (!Array.isArray(paths)) return 0;
    this.#prune(owner, now);
    const entries = this.#byOwner.get(owner) ?? new Map<string, number>();
    let n = 0;
    for (const p of paths) {
      if (typeof p !== 'string' || pathProblem(p) !== null) continue;
      const k = key(p);
      if (!entries.has(k) && entries.size >= this.maxPaths) break;
      entries.set(k, now + this.ttlMs);
      n++;
    }
    if (entries.size > 0) this.#byOwner.set(owner, entries);
    return n;
  }

  /** Paths among `paths` not dropped on `owner` within the TTL (no side effects). */
  missing(owner: number, paths: readonly string[], now = Date.now()): string[] {
    const entries = this.#byOwner.get(owner);
    return paths.filter((p) => {
      const exp = entries?.get(key(p));
      return exp === undefined || exp <= now;
    });
  }

  /** All of `paths` were dropped recently: consume them. Otherwise consume nothing and say which were not. */
  take(owner: number, paths: readonly string[], now = Date.now()): TakeResult {
    this.#prune(owner, now);
    const missing = this.missing(owner, paths, now);
    if (missing.length > 0) return { missing };
    const entries = this.#byOwner.get(owner);
    for (const p of paths) entries?.delete(key(p));
    if (entries && entries.size === 0) this.#byOwner.delete(owner);
    return { missing: [] };
  }

  /** Forget a window (closed or navigated away). */
  forget(owner: number): void {
    this.#byOwner.delete(owner);
  }

  /** Number of live entries of a window (tests, diagnostics). */
  size(owner: number, now = Date.now()): number {
    this.#prune(owner, now);
    return this.#byOwner.get(owner)?.size ?? 0;
  }

  #prune(owner: number, now: number): void {
    const entries = this.#byOwner.get(owner);
    if (!entries) return;
    for (const [k, exp] of entries) if (exp <= now) entries.delete(k);
    if (entries.size === 0) this.#byOwner.delete(owner);
  }
}

/**
 * Wait (briefly) until all of `paths` were dropped on `owner`, then consume them. The preload's
 * report and the page's call travel on different IPC pipes, so the call may arrive first.
 */
export async function takeDropped(drops: DroppedPaths, owner: number, paths: readonly string[], graceMs = 1000, stepMs = 25): Promise<TakeResult> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const r = drops.take(owner, paths);
    if (r.missing.length === 0 || Date.now() >= deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
