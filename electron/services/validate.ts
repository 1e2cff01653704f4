// The IPC side of the parameter vocabulary: the shape of request objects (objects, arrays, known
// keys, ids), paths, and styles against the ones loaded. Values (sizes, strength, quality, formats,
// booleans) are checked by electron/common/params.ts in its 'strict' mode, so the CLI, the engine
// and the app word the same mistake the same way ("Expected integer between 64 and 16384 for size
// but received 'abc'").

import type { StyleBlend } from '../common/types.js';
import { BLEND_STYLES, checkNumber, describeValue as describe, STRENGTH } from '../common/params.js';
import { pathProblem } from './roots.js';

export class ArgError extends Error {
  readonly code: 'bad-argument' | 'not-allowed' | 'not-found';
  constructor(message: string, code: 'bad-argument' | 'not-allowed' | 'not-found' = 'bad-argument') {
    super(message);
    this.name = 'ArgError';
    this.code = code;
  }
}

export function fail(message: string): never {
  throw new ArgError(message);
}

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** An id/handle: never a path, so no '/', '\\' or '..'. */
export function id(v: unknown, what: string): string {
  if (typeof v !== 'string' || !ID_RE.test(v)) {
    fail(`Expected id (lowercase letters, digits and '-', at most 64) for ${what} but received ${describe(v)}`);
  }
  return v;
}

export function absPath(v: unknown, what: string): string {
  const problem = pathProblem(v, what);
  if (problem) fail(problem);
  return v as string;
}

export function plainObject(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`Expected object for ${what} but received ${describe(v)}`);
  return v as Record<string, unknown>;
}

export function array(v: unknown, max: number, what: string): unknown[] {
  if (!Array.isArray(v)) fail(`Expected array for ${what} but received ${describe(v)}`);
  if (v.length > max) fail(`Expected at most ${max} items for ${what} but received ${v.length}`);
  return v;
}

/** Refuse keys we do not know, so a typo is an error instead of silently ignored. */
export function knownKeys(o: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(`Unknown key '${k}' in ${what}`);
}

/** A style id, or a blend {id: weight} of styles of one multi-style model. `known` maps id -> model. */
export function styleRef(v: unknown, known: ReadonlyMap<string, { model: string; multi: boolean }>, what: string): string | StyleBlend {
  if (typeof v === 'string') {
    id(v, what);
    if (!known.has(v)) throw new ArgError(`Unknown style '${v}' for ${what}`, 'not-found');
    return v;
  }
  const o = plainObject(v, what);
  const entries = Object.entries(o);
  if (entries.length < BLEND_STYLES.min || entries.length > BLEND_STYLES.max) {
    fail(`Expected ${BLEND_STYLES.min} to ${BLEND_STYLES.max} styles in the blend for ${what} but received ${entries.length}`);
  }
  let model: string | null = null;
  let total = 0;
  const out: StyleBlend = {};
  for (const [k, w] of entries) {
    id(k, `${what} style`);
    const info = known.get(k);
    if (!info) throw new ArgError(`Unknown style '${k}' for ${what}`, 'not-found');
    if (entries.length > 1 && !info.multi) fail(`Style '${k}' cannot be blended: its model has a single style`);
    if (model !== null && info.model !== model) fail(`Expected styles of one model for ${what}, but '${k}' belongs to '${info.model}' and not '${model}'`);
    model = info.model;
    out[k] = checkNumber(`${what} weight of '${k}'`, w, STRENGTH, 'strict');
    total += out[k];
  }
  if (total <= 0) fail(`Expected blend weights of ${what} to sum to more than 0`);
  return out;
}
