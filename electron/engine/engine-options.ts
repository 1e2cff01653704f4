// The engine's options, report types and defaults, and the ModelSpec the worker runs a loaded
// model from: what callers of electron/engine/engine.ts pass and get back.
import type { StylizeOptionsInput } from '../common/params.js';
import type { BatchReport, DeviceChoice, DeviceReport, Precision } from '../common/types.js';
import type { LoadedModel } from './manifest.js';
import type { StyleFileProblem } from './style-files.js';
import type { CrashEvent, Spawner } from './supervisor.js';
import type { DoctorResult, ModelSpec, PreviewResult } from './worker-protocol.js';

export interface EngineOptions {
  /** Explicit models folder (packaged app: process.resourcesPath/models). */
  modelsDir?: string;
  /** The user's style files; default resolveUserStylesDir() (null: built-in styles only). */
  userStylesDir?: string | null;
  device?: DeviceChoice;
  /** Worker launcher; default child_process.fork. Electron passes a utilityProcess one. */
  spawner?: Spawner;
  workerPath?: string;
  /** ORT intra-op threads; default all cores. */
  threads?: number;
  /** Refuse photos declaring more pixels than this (checked before decoding). */
  maxPixels?: number;
  /** Above this many pixels, infer in tiles (bounds memory). */
  tilePixels?: number;
  /** Long edge of the copy used for whole-image stats when tiling. */
  statsEdge?: number;
  /** Verify model files by 'sha256' (default) or just 'size'. */
  verify?: 'sha256' | 'size';
  /** Files in flight in the worker during batches (overlaps decode/encode with inference). */
  concurrency?: number;
  /** 'auto' (default): int8 on the CPU, fp16 on GPUs where the model ships them; 'fp32': float32 only. */
  precision?: Precision;
  /** How long a cancelled file may take to stop before the worker is killed. */
  cancelGraceMs?: number;
}

/** StylizeOptions plus engine-only knobs. */
export interface EngineStylizeInput extends StylizeOptionsInput {
  /** Allow `size` above the photo's own long edge (off by default: no silent upscaling). */
  allowUpscale?: boolean;
  /** Force a tile edge when tiling (tests, benchmarks). */
  tileSize?: number;
  /**
   * Whether the user chose the brush; default: whether `brush` was given. Only a chosen brush
   * larger than the photo is reported in the result's warnings.
   */
  brushChosen?: boolean;
}

export interface BatchOptions extends EngineStylizeInput {
  recursive?: boolean;
  /** Skip a photo whose export with these settings is already there (its recipe says so). */
  skipExisting?: boolean;
  /** Output names (electron/common/output-names.ts); default DEFAULT_NAME_TEMPLATE. */
  nameTemplate?: unknown;
  /** Replace another export at an output's name instead of taking the next free name. */
  overwrite?: boolean;
  /** Stop starting new files (in-flight ones finish). The run's `signal` aborts in-flight too. */
  stopSignal?: AbortSignal;
}

export interface EngineBatchReport extends BatchReport {
  /** Set when the batch stopped early for a reason other than cancellation (e.g. disk full). */
  stoppedReason?: string;
}

export interface ModelStatus {
  id: string | null;
  ok: boolean;
  styles: string[];
  error?: string;
}

export interface DoctorReport extends DoctorResult {
  modelsDir: string;
  models: ModelStatus[];
  /** The user's styles folder (null: none) and every refused style file. */
  userStylesDir: string | null;
  styleProblems: StyleFileProblem[];
  device: DeviceReport | null;
}

export type PreviewOutput = PreviewResult;

// Default tiling threshold: 1080p and 1920x1200 run in one pass; a 4K (8.3 MP) photo goes through
// 6 tiles of ~1.5 MP. A single pass of the built-in pack peaks at ~0.28 GiB + 0.41 GiB per MP on the
// CPU, so tiles of at most 3 MP keep 4K well under 3 GB (docs/performance.md).
export const DEFAULT_TILE_PIXELS = 3_000_000;
export const DEFAULT_STATS_EDGE = 1024;
/**
 * Files in flight during a batch: one being inferred, the next decoded and waiting (the worker's
 * main thread decodes and encodes while onnxruntime runs on its own thread). More buys nothing on
 * the CPU and holds more photos in memory.
 */
export const DEFAULT_BATCH_CONCURRENCY = 2;

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

/** Crash notice in the shape the app services consume ({message, retried}) plus the details. */
export interface CrashInfo extends CrashEvent {
  message: string;
  retried: boolean;
}
