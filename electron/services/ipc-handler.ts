// The IPC wrapper: arity check, sender and channel checks, and the mapping of thrown errors onto
// IPC error codes. Every outcome is a Result: nothing throws across IPC.

import type { ArgsOf, Channel, IpcError, Result, ResultOf } from '../common/ipc-contract.js';
import { isChannel } from '../common/ipc-contract.js';
import { describe } from './roots.js';
import { ArgError } from './validate.js';

export type Handler<C extends Channel> = (...args: unknown[]) => Promise<Result<ResultOf<C>>>;
export type Handlers = { [C in Channel]: Handler<C> };

// Engine/params errors carry PasticheError codes; map them onto the IPC codes.
const ENGINE_CODES: Record<string, IpcError['code']> = {
  INVALID_PARAM: 'bad-argument',
  NOT_FOUND: 'not-found',
  CANCELLED: 'cancelled',
  DECODE: 'io',
  UNSUPPORTED_FORMAT: 'io',
  TOO_LARGE: 'io',
  OUTPUT: 'io',
  DISK_FULL: 'io',
};

export function errorOf(e: unknown): IpcError {
  if (e instanceof ArgError) return { code: e.code, message: e.message };
  const code = (e as { code?: unknown } | null)?.code;
  if (e instanceof Error && typeof code === 'string' && code in ENGINE_CODES) {
    return { code: ENGINE_CODES[code]!, message: code === 'CANCELLED' ? 'Cancelled' : e.message };
  }
  if (e instanceof Error && (e.name === 'AbortError' || /abort|cancel/i.test(e.name))) return { code: 'cancelled', message: 'Cancelled' };
  const message = e instanceof Error ? e.message : String(e);
  // Node's system errors (ENOENT, EACCES, ...) are file trouble; anything else is the engine's.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { code: 'io', message };
  return { code: 'engine', message };
}

/** Wrap a typed implementation: check arity, turn throws into error Results. */
export function handler<C extends Channel>(arity: number, impl: (...args: unknown[]) => Promise<ResultOf<C>> | ResultOf<C>): Handler<C> {
  return async (...args) => {
    if (args.length !== arity) {
      return { ok: false, error: { code: 'bad-argument', message: `Expected ${arity} argument${arity === 1 ? '' : 's'} but received ${args.length}` } };
    }
    try {
      return { ok: true, value: await impl(...args) };
    } catch (e) {
      return { ok: false, error: errorOf(e) };
    }
  };
}

/** Is this IPC sender our own app page? `trusted` are origins like 'pastiche://app'. */
export function isTrustedSender(senderUrl: string | null | undefined, trusted: readonly string[]): boolean {
  if (typeof senderUrl !== 'string' || senderUrl.length === 0) return false;
  let origin: string;
  try {
    const u = new URL(senderUrl);
    // Non-special schemes report origin 'null'; rebuild it from protocol + host.
    origin = u.origin !== 'null' ? u.origin : `${u.protocol}//${u.host}`;
  } catch {
    return false;
  }
  return trusted.includes(origin);
}

/** Route one call: sender check, channel check, then the handler. Never throws. */
export async function dispatch(handlers: Handlers, channel: unknown, senderUrl: string | null | undefined, trusted: readonly string[], args: unknown[]): Promise<Result<unknown>> {
  if (!isTrustedSender(senderUrl, trusted)) {
    return { ok: false, error: { code: 'bad-sender', message: `Refused IPC from untrusted sender ${describe(senderUrl ?? null)}` } };
  }
  if (!isChannel(channel)) return { ok: false, error: { code: 'bad-argument', message: `Unknown channel ${describe(channel)}` } };
  return (handlers[channel] as (...a: unknown[]) => Promise<Result<unknown>>)(...args);
}

/** Typed call helper for tests and the host: `call(h, 'styles:list')`. */
export function call<C extends Channel>(handlers: Handlers, channel: C, ...args: ArgsOf<C>): Promise<Result<ResultOf<C>>> {
  return handlers[channel](...args);
}
