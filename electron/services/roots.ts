// Path containment: the renderer may only reach files under folders/files the
// user opened (dialog or drop), the chosen output folders, or the app's cache.
// Every check resolves symlinks (realpath) so a link inside a root cannot escape it.

import fs from 'node:fs';
import path from 'node:path';
import { describeValue } from '../common/params.js';

/** Pure: is `target` equal to or inside `root`? Both must already be absolute and normalized. */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  if (rel === '') return true;
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}

/** Why a raw path string is refused before touching the disk, or null if it is well-formed. */
export function pathProblem(raw: unknown, what = 'path'): string | null {
  if (typeof raw !== 'string') return `Expected string for ${what} but received ${describe(raw)}`;
  if (raw.length === 0) return `Expected non-empty string for ${what}`;
  if (raw.length > 4096) return `Expected ${what} of at most 4096 characters but received ${raw.length}`;
  if (raw.includes('\0')) return `Expected ${what} without NUL characters`;
  if (!path.isAbsolute(raw)) return `Expected absolute path for ${what} but received '${clip(raw)}'`;
  // '..' is never needed in a path the app itself handed out; refuse rather than normalize it away.
  if (raw.split(/[\\/]+/).includes('..')) return `Expected ${what} without '..' segments but received '${clip(raw)}'`;
  return null;
}

/** How a received value is quoted in messages (same wording as the CLI/engine), long strings clipped. */
export function describe(v: unknown): string {
  return typeof v === 'string' ? `'${clip(v)}'` : clip(describeValue(v));
}

export function clip(s: string, max = 120): string {
  return s.length > max ? s.slice(0, max) + '…' : s;
}

export type RootKind = 'dir' | 'file';

export class AllowedRoots {
  // Keyed by realpath, so two spellings of one folder are one root.
  readonly #roots = new Map<string, RootKind>();

  /** Allow a folder (and everything under it) or a single file. Returns its realpath. */
  add(p: string, kind: RootKind): string {
    const real = fs.realpathSync.native(p);
    const prev = this.#roots.get(real);
    if (prev !== 'dir') this.#roots.set(real, kind);
    return real;
  }

  list(): { path: string; kind: RootKind }[] {
    return [...this.#roots].map(([p, kind]) => ({ path: p, kind }));
  }

  /** Realpath of `p` if it is allowed, else null. Pure-ish: the only I/O is realpath. */
  resolve(p: string): string | null {
    if (pathProblem(p) !== null) return null;
    let real: string;
    try {
      real = fs.realpathSync.native(p);
    } catch {
      return null;
    }
    for (const [root, kind] of this.#roots) {
      if (kind === 'file' ? real === root : isInside(root, real)) return real;
    }
    return null;
  }

  /** Is `p` (possibly not yet existing, e.g. an output folder) inside an allowed folder? */
  containsDir(p: string): boolean {
    if (pathProblem(p) !== null) return false;
    let real: string;
    try {
      real = fs.realpathSync.native(p);
    } catch {
      return false;
    }
    for (const [root, kind] of this.#roots) if (kind === 'dir' && isInside(root, real)) return true;
    return false;
  }
}
