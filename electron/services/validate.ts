// The IPC side of the parameter vocabulary: the shape of request objects (objects, arrays, known
// keys, ids), paths, and styles against the ones loaded. Values (sizes, strength, quality, formats,
// booleans) are checked by electron/common/params.ts in its 'strict' mode, so the CLI, the engine
// and the app word the same mistake the same way ("Expected integer between 64 and 16384 for size
// but received 'abc'").

import type { StyleBlend } from '../common/types.js';
import { checkNumber, describeValue as describe, STRENGTH } from '../common/params.js';
import { resolveStyle, type StyleCatalog } from '../common/styles.js';
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

/**
 * A style id, or a blend {id: weight} with weights 0-1 (the renderer's sliders), of the loaded
 * styles: ids and weights checked here, the blend itself by resolveStyle (electron/common/styles.ts).
 */
export function styleRef(v: unknown, catalog: StyleCatalog, what: string): string | StyleBlend {
  let style: string | StyleBlend;
  if (typeof v === 'string') {
    style = id(v, what);
  } else {
    const blend: StyleBlend = {};
    for (const [k, w] of Object.entries(plainObject(v, what))) blend[id(k, `${what} style`)] = checkNumber(`${what} weight of '${k}'`, w, STRENGTH, 'strict');
    style = blend;
  }
  resolveStyle(catalog, style, (unknown) => new ArgError(`Unknown style '${unknown}' for ${what}`, 'not-found'), what);
  return style;
}
