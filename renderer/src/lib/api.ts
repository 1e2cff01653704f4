// The renderer's only door to the app: window.pastiche, typed from the contract.
// Imports types only from electron/common (the renderer ships no main-process code).

import type { ArgsOf, Channel, FolderCheck, MediaKind, PasticheApi, ResultOf } from '../../../electron/common/ipc-contract';

export class IpcFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'IpcFailure';
    this.code = code;
  }
}

export function bridge(): PasticheApi {
  return window.pastiche;
}

/** Invoke and unwrap: resolves to the value, rejects with IpcFailure on an error Result. */
export async function call<C extends Channel>(channel: C, ...args: ArgsOf<C>): Promise<ResultOf<C>> {
  const r = await bridge().invoke(channel, ...args);
  if (r.ok) return r.value;
  throw new IpcFailure(r.error.code, r.error.message);
}

export function mediaUrl(kind: MediaKind, ref: string, query?: Record<string, string | number>): string {
  const q = query ? '?' + new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString() : '';
  return `${bridge().mediaBase}${kind}/${encodeURIComponent(ref)}${q}`;
}

/** Ticket ids for cancellable previews: lowercase id characters only. */
export function ticket(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Whether an export can write into `folder` (chosen with the dialog, or the default one). */
export function checkOutputFolder(folder: string): Promise<FolderCheck> {
  return call('export:checkFolder', folder);
}
