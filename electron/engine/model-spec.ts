// The ModelSpec the worker runs a loaded model from.
import type { LoadedModel } from '../catalog/manifest.js';
import type { Precision } from '../common/types.js';
import type { ModelSpec } from '../common/worker-protocol.js';

/** What the worker needs to run a loaded model at a precision (reduced-precision files dropped for 'fp32'). */
export function modelSpec(m: LoadedModel, weights: number[] | null, precision: Precision, vector: number[] | null = null): ModelSpec {
  const v = m.variantPaths;
  const reduced = precision === 'auto';
  return {
    id: m.info.id,
    path: m.path,
    tilesPath: v.tiles ?? null,
    singlePath: v.single ?? null,
    fp16Path: reduced ? (v.fp16 ?? null) : null,
    fp16TilesPath: reduced ? (v['fp16-tiles'] ?? null) : null,
    int8Path: reduced ? (v.int8 ?? null) : null,
    io: m.info.io,
    receptiveField: m.info.receptiveField,
    weights,
    vector,
  };
}
