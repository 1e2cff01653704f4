// Argument validation for IPC handlers. Messages follow sharp's style
// ("Expected integer between 64 and 16384 for size but received 'abc'") so the
// CLI, the engine and the app word the same mistake the same way.

import type { OutputFormat, SizeChoice, StyleBlend } from '../common/types.js';
import { describeValue, invalid, MAX_SIZE, MIN_SIZE, OUTPUT_FORMATS } from '../common/params.js';
import { pathProblem } from './roots.js';

// Unlike the CLI (which parses strings), IPC arguments must already have their JS type:
// '512' for a number is a renderer bug, so it is refused rather than coerced.
const describe = describeValue;
function expected(what: string, exp: string, v: unknown): never {
  throw new ArgError(invalid(what, exp, v).message);
}

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

export function int(v: unknown, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    expected(what, `integer between ${min} and ${max}`, v);
  }
  return v;
}

export function num(v: unknown, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    expected(what, `number between ${min} and ${max}`, v);
  }
  return v;
}

export function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') expected(what, 'boolean', v);
  return v;
}

export function oneOf<T extends string>(v: unknown, options: readonly T[], what: string): T {
  if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) {
    fail(`Expected one of ${options.join(', ')} for ${what} but received ${describe(v)}`);
  }
  return v as T;
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

export const SIZE_MIN = MIN_SIZE;
export const SIZE_MAX = MAX_SIZE;

export function sizeChoice(v: unknown, what: string): SizeChoice {
  if (v === 'original') return v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < SIZE_MIN || v > SIZE_MAX) {
    fail(`Expected integer between ${SIZE_MIN} and ${SIZE_MAX} or 'original' for ${what} but received ${describe(v)}`);
  }
  return v;
}

export const FORMATS: readonly OutputFormat[] = OUTPUT_FORMATS;

/** A style id, or a blend {id: weight} of styles of one multi-style model. `known` maps id -> model. */
export function styleRef(v: unknown, known: ReadonlyMap<string, { model: string; multi: boolean }>, what: string): string | StyleBlend {
  if (typeof v === 'string') {
    id(v, what);
    if (!known.has(v)) throw new ArgError(`Unknown style '${v}' for ${what}`, 'not-found');
    return v;
  }
  const o = plainObject(v, what);
  const entries = Object.entries(o);
  if (entries.length < 1 || entries.length > 16) fail(`Expected 1 to 16 styles in the blend for ${what} but received ${entries.length}`);
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
    out[k] = num(w, 0, 1, `${what} weight of '${k}'`);
    total += out[k];
  }
  if (total <= 0) fail(`Expected blend weights of ${what} to sum to more than 0`);
  return out;
}
