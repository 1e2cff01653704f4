// Error type shared by engine, worker, CLI and IPC. Plain data (code + message) so it
// survives structured cloning across the worker / IPC boundary.

export type ErrorCode =
  'INVALID_PARAM' | 'MODEL' | 'UNSUPPORTED_FORMAT' | 'DECODE' | 'TOO_LARGE' | 'NOT_FOUND' | 'OUTPUT' | 'DISK_FULL' | 'CANCELLED' | 'WORKER_CRASH' | 'GPU_UNAVAILABLE' | 'INTERNAL';

export interface SerializedError {
  code: ErrorCode;
  message: string;
}

export class PasticheError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'PasticheError';
    this.code = code;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message };
  }
}

export function isPasticheError(e: unknown): e is PasticheError {
  return e instanceof PasticheError;
}

/** Normalizes anything thrown into a code + message, keeping PasticheError codes. */
export function serializeError(e: unknown): SerializedError {
  if (e instanceof PasticheError) return { code: e.code, message: e.message };
  if (e instanceof Error) {
    const code = (e as Error & { code?: unknown }).code;
    if (code === 'ENOSPC') return { code: 'DISK_FULL', message: e.message };
    if (e.name === 'AbortError') return { code: 'CANCELLED', message: 'Cancelled' };
    return { code: 'INTERNAL', message: e.message };
  }
  return { code: 'INTERNAL', message: String(e) };
}

export function deserializeError(e: SerializedError): PasticheError {
  return new PasticheError(e.code, e.message);
}
