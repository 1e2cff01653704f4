// A user style's id, title and training time, checked the same way by the CLI, the engine and
// the IPC handlers (messages in the sharp style of electron/common/params.ts).
import { describeValue, ParamError } from './params.js';

/** 1-64 lowercase letters, digits and '-', starting with a letter or digit (docs/styles.md). */
export const STYLE_ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const TITLE_MAX = 200;
/** Training time of a new style, minutes of wall clock. */
export const MINUTES = { min: 0.5, max: 600, default: 10 } as const;

function bad(name: string, expected: string, v: unknown): ParamError {
  return new ParamError(name, `Expected ${expected} for ${name} but received ${v === undefined ? 'nothing' : describeValue(v)}`);
}

export function checkStyleId(v: unknown, name = 'id'): string {
  if (typeof v !== 'string' || !STYLE_ID_RE.test(v)) throw bad(name, "an id of 1-64 lowercase letters, digits and '-', starting with a letter or digit", v);
  return v;
}

export function checkTitle(v: unknown, name = 'title'): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > TITLE_MAX || [...v].some((c) => c.charCodeAt(0) < 32)) throw bad(name, `a text of 1-${TITLE_MAX} characters`, v);
  return v.trim();
}

export function checkMinutes(v: unknown, name = 'minutes'): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  if (!(n >= MINUTES.min && n <= MINUTES.max)) throw bad(name, `a number between ${MINUTES.min} and ${MINUTES.max}`, v);
  return n;
}
