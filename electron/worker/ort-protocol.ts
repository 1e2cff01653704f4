// The messages between the worker's main thread (ort-host.ts) and the thread that owns
// onnxruntime-node (ort-thread.ts), and the plain tensors they carry. Both sides import this,
// so the thread's module never imports the host's (the host loads the thread's only for the
// inline fallback).
import type { InferenceSession } from 'onnxruntime-node';

export type TensorType = 'float32' | 'uint8';

/** A tensor as it crosses threads: typed array, type name and dims. */
export interface PlainTensor {
  type: TensorType;
  data: Float32Array | Uint8Array;
  dims: readonly number[];
}

export interface InputInfo {
  name: string;
  isTensor: boolean;
  /** Element type ('float32', 'uint8', ...) of tensor inputs. */
  type: string | null;
}

export interface OrtInfo {
  backends: { name: string; bundled: boolean }[];
  version: string;
}

export type ToOrtThread =
  | { op: 'create'; id: number; model: string | Uint8Array; options: InferenceSession.SessionOptions }
  | { op: 'run'; id: number; sid: number; feeds: Record<string, PlainTensor> }
  | { op: 'release'; id: number; sid: number };

export interface CreatedSession {
  sid: number;
  inputNames: string[];
  inputMetadata: InputInfo[];
}

export type FromOrtThread = { op: 'ready'; info: OrtInfo } | { op: 'done'; id: number; value: CreatedSession | Record<string, PlainTensor> | null } | { op: 'failed'; id: number; message: string };

/** Typed arrays whose memory can be handed over rather than copied. */
export function transferables(tensors: Record<string, PlainTensor>): ArrayBuffer[] {
  const seen = new Set<ArrayBuffer>();
  for (const t of Object.values(tensors)) {
    const b = t.data.buffer;
    // Only whole, plain buffers: a view into a larger (pooled or shared) one must be copied.
    if (b instanceof ArrayBuffer && t.data.byteOffset === 0 && t.data.byteLength === b.byteLength) seen.add(b);
  }
  return [...seen];
}
