// Messages between the supervisor (engine side) and the inference worker. Structured-clone
// friendly (plain objects, Buffers/Uint8Arrays) so both child_process 'advanced'
// serialization and Electron's utilityProcess carry them.
import type { SerializedError } from './errors.js';
import type { Brush, DeviceChoice, LearnInfo, ModelIo, OutputFormat, PassPlan, ProviderName, RenderTimings, SizeChoice } from './types.js';
import type { Recipe } from './recipe.js';

export type { PassPlan, PassTiming, RenderTimings } from './types.js';

/** Everything the worker needs to run one model; paths are absolute. */
export interface ModelSpec {
  id: string;
  path: string;
  tilesPath: string | null;
  /** Same function as path without the stats output: used for photos run in one pass. */
  singlePath: string | null;
  fp16Path: string | null;
  fp16TilesPath: string | null;
  /** The single-pass graph with int8 convolutions (CPU provider); null to run float32. */
  int8Path: string | null;
  io: ModelIo;
  receptiveField: number;
  /** Normalized style weights for weights-input multi-style models, else null. */
  weights: number[] | null;
  /** The style vector (float32 values) for vector-input models, else null. */
  vector?: number[] | null;
}

export interface RenderSettings {
  model: ModelSpec;
  size: SizeChoice;
  allowUpscale: boolean;
  /** Long edge at which the style is painted (electron/imaging/brush.ts), or 'native'. */
  brush: Brush;
  /**
   * The user chose the brush (the CLI's --brush, the app's brush away from the default): only a
   * chosen brush larger than the photo is worth a warning; the default one is quiet.
   */
  brushChosen?: boolean;
  strength: number;
  preserveColors: boolean;
  device: DeviceChoice;
  threads: number;
  maxPixels: number;
  /** Images above this many pixels are inferred in tiles (needs the model's 'tiles' variant). */
  tilePixels: number;
  /** Force a tile edge (tests, benchmarks); otherwise derived from tilePixels. */
  tileSize?: number;
  /** Long edge of the downscaled copy used for whole-image normalization stats. */
  statsEdge: number;
}

export interface StylizeJob extends RenderSettings {
  input: string;
  output: string;
  /** Temp file in the output folder; renamed onto `output` when complete. */
  tmp: string;
  format: OutputFormat;
  quality: number;
  keepMetadata: boolean;
  stripGps: boolean;
  /** Written into the output's XMP (with or without the photo's own metadata). */
  recipe?: Recipe;
}

/**
 * A preview is the export downscaled: `size` is the preview's long edge, `exportSize` (with
 * `allowUpscale`) the export it stands for, whose brush plan it follows.
 */
export interface PreviewJob extends RenderSettings {
  input: string;
  size: number;
  exportSize: SizeChoice;
  /**
   * Style thumbnails: paint only a centre crop of this size of the photo at the brush pass's
   * scale (the strokes exactly as large, relative to the photo, as the export has them; a small
   * fast pass). `size` is then unused.
   */
  crop?: { width: number; height: number };
}

/** A rectangle in pixels of the export (x, y: its top-left corner). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The 1:1 view: one rectangle of the export at `exportSize`, painted at the export's own size with
 * its brush plan from the photo's passes (kept in the worker), so it is that crop of the export.
 */
export interface RegionJob extends RenderSettings {
  input: string;
  exportSize: SizeChoice;
  rect: Rect;
}

export interface RegionOutput {
  /** PNG: lossless, so the view is the export's pixels. */
  data: Buffer;
  mime: 'image/png';
  /** The rectangle painted: the one asked for, within the export. */
  rect: Rect;
  exportWidth: number;
  exportHeight: number;
  ms: number;
  /** Whether the photo's passes were already kept (only the rectangle was painted). */
  cached: boolean;
  provider: ProviderName;
  fallbackReason?: string;
  warnings: string[];
}

export interface StylizeResult {
  output: string;
  width: number;
  height: number;
  ms: number;
  provider: ProviderName;
  fallbackReason?: string;
  tiles: number;
  warnings: string[];
  timings: RenderTimings;
}

/** A rendered preview: the image bytes and what the renderer's estimates need. */
export interface PreviewOutput {
  /** JPEG, or PNG when the photo has transparency. */
  data: Buffer;
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  ms: number;
  provider: ProviderName;
  fallbackReason?: string;
  warnings: string[];
  /** The photo's upright size, and the plan of the export this preview stands for. */
  sourceWidth: number;
  sourceHeight: number;
  exportPlan: PassPlan;
  timings: RenderTimings;
  limits: { tilePixels: number; statsEdge: number };
}

export interface ProviderProbe {
  name: ProviderName;
  ok: boolean;
  error?: string;
}

export interface DoctorResult {
  platform: string;
  arch: string;
  node: string;
  electron: string | null;
  onnxruntime: string;
  sharp: string;
  libvips: string;
  cpus: number;
  /** What onnxruntime-node reports as compiled in / bundled. */
  backends: { name: string; bundled: boolean }[];
  /** A tiny session created on each GPU provider this platform may use. */
  probes: ProviderProbe[];
  gpuAdapterFound: boolean;
}

export interface WarmupJob {
  model: ModelSpec;
  device: DeviceChoice;
  threads: number;
}

export interface WarmupResult {
  provider: ProviderName;
  fallbackReason?: string;
  ms: number;
}

/** `pastiche bench`: timed runs of one model at one size in this worker process. */
export interface BenchJob {
  model: ModelSpec;
  device: DeviceChoice;
  threads: number;
  width: number;
  height: number;
  warmups: number;
  runs: number;
  tilePixels: number;
  statsEdge: number;
  /** Inference and end-to-end runs at this brush (the brush plan of width x height). */
  brush: Brush;
  /** End-to-end runs (decode, infer, post, encode, write) of this photo into `output`. */
  e2e: { input: string; output: string; tmp: string } | null;
}

export interface BenchResult {
  provider: ProviderName;
  fallbackReason?: string;
  tiles: number;
  /** Inference on decoded pixels (tensor conversion, tiling and blending included), per run. */
  inferMs: number[];
  /** Whole per-file pipeline, per run; empty without `e2e`. */
  e2eMs: number[];
  /** Peak resident set of the worker process so far (bytes). */
  maxRssBytes: number;
}

/** A learning graph as the manifest names it (path absolute). */
export interface LearnGraphRef {
  path: string;
  sha256: string;
  bytes: number;
}

/**
 * Learning a style (electron/worker/learn-job.ts): the learning graphs, the trainer data, the painting,
 * the built-in vectors to start from and the manifest's settings. The worker writes no file but its
 * cache of materialized graphs (VGG weights beside them); the caller writes the style file.
 */
export interface LearnJob {
  graph: LearnGraphRef;
  grams: LearnGraphRef;
  /** The VGG19 weights folder the graphs' external data is read from (trainer-data.ts). */
  vggDir: string;
  /** Training photos (content/open). */
  contentDir: string;
  /** Where materialized graphs are kept between runs. */
  cacheDir: string;
  painting: string;
  settings: LearnInfo;
  builtins: { id: string; vector: number[] }[];
  /** Stop after this long (0: no time limit), or after `steps` steps (0: no step limit). */
  minutes: number;
  steps: number;
  seed: number;
  /** Seconds spent first fitting softmax weights of a blend of the built-ins (0: start from the nearest). */
  blendS: number;
  device: DeviceChoice;
  threads: number;
  /** A preview of the current vector on a photo every `everyS` seconds, at the start and at the end. */
  preview: { job: PreviewJob; everyS: number } | null;
}

export interface LearnProgress {
  step: number;
  of: number;
  elapsedS: number;
  etaS: number;
  /** Moving average of the total loss; content and style of the last step (batch means). */
  loss: number;
  content: number;
  style: number;
}

export type LearnEvent =
  | { kind: 'init'; style: string; candidates: Record<string, number>; setupS: number; provider: ProviderName }
  | { kind: 'progress'; progress: LearnProgress }
  | { kind: 'preview'; step: number; data: Uint8Array; mime: 'image/jpeg' | 'image/png' };

export interface LearnResult {
  vector: number[];
  /** The built-in started from ('blend' when a blend was fitted first). */
  init: string;
  steps: number;
  trainSeconds: number;
  wallSeconds: number;
  photos: number;
  provider: ProviderName;
  fallbackReason?: string;
  /** Peak resident set of the worker process so far (bytes). */
  maxRssBytes: number;
  /** Last step's losses (batch means). */
  loss: { content: number; style: number; tv: number };
}

/** Request kinds and their results. */
export interface JobKinds {
  stylize: { job: StylizeJob; result: StylizeResult };
  preview: { job: PreviewJob; result: PreviewOutput };
  region: { job: RegionJob; result: RegionOutput };
  doctor: { job: Record<string, never>; result: DoctorResult };
  warmup: { job: WarmupJob; result: WarmupResult };
  bench: { job: BenchJob; result: BenchResult };
  learn: { job: LearnJob; result: LearnResult };
}

export type JobKind = keyof JobKinds;

export type WorkerRequest = { [K in JobKind]: { type: 'job'; id: number; kind: K; job: JobKinds[K]['job'] } }[JobKind] | { type: 'cancel'; id: number } | { type: 'shutdown' };

export type WorkerResponse =
  | { type: 'ready'; pid: number }
  | { type: 'started'; id: number }
  | { type: 'progress'; id: number; stage: 'decode' | 'infer' | 'encode'; fraction: number; detail?: string }
  | { type: 'event'; id: number; event: LearnEvent }
  | { type: 'result'; id: number; result: JobKinds[JobKind]['result'] }
  | { type: 'error'; id: number; error: SerializedError };
