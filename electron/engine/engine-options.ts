// The engine's options and defaults: what callers of electron/engine/engine.ts pass.
import type { StylizeOptionsInput } from '../common/params.js';
import type { DeviceChoice, Precision } from '../common/types.js';
import type { StyleLearner } from '../catalog/user-styles.js';
import type { Spawner } from './supervisor.js';

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
  /**
   * Least time between two progress updates from within a photo (passes, tiles); default
   * DEFAULT_PROGRESS_INTERVAL_MS. Updates between photos are always sent.
   */
  progressIntervalMs?: number;
  /** Learns a new style file (electron/learning/style-learner.ts: addStyle); without it addStyle refuses. */
  learner?: StyleLearner;
}

/** StylizeOptions plus engine-only knobs. */
export interface EngineStylizeInput extends StylizeOptionsInput {
  /** Allow `size` above the photo's own long edge (off by default: no silent upscaling). */
  allowUpscale?: boolean;
  /** Force a tile edge when tiling (tests, benchmarks). */
  tileSize?: number;
  /**
   * Whether the user chose the brush (common/params.ts: brushChosen); default false. Only a chosen
   * brush larger than the photo is reported in the result's warnings.
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

// Default tiling threshold: 1080p and 1920x1200 run in one pass; a 4K (8.3 MP) photo goes through
// 6 tiles of ~1.5 MP. A single pass of the built-in pack peaks at ~0.28 GiB + 0.41 GiB per MP on the
// CPU, so tiles of at most 3 MP keep 4K well under 3 GB (docs/performance.md).
export const DEFAULT_TILE_PIXELS = 3_000_000;
export const DEFAULT_STATS_EDGE = 1024;
/** At most 5 updates a second from within a photo: enough for a moving bar, little IPC. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 200;
/**
 * Files in flight during a batch: one being inferred, the next decoded and waiting (the worker's
 * main thread decodes and encodes while onnxruntime runs on its own thread). More buys nothing on
 * the CPU and holds more photos in memory.
 */
export const DEFAULT_BATCH_CONCURRENCY = 2;
