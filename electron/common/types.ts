// Shared data shapes. Pure TypeScript: imports nothing, so the renderer, main,
// worker, CLI and tests can all depend on it.

export type DeviceChoice = 'auto' | 'cpu' | 'gpu';
/**
 * 'auto': the fastest graph measured at equal quality for the provider (int8 convolutions on the
 * CPU, fp16 on GPUs, where the model ships them); 'fp32': the float32 graphs everywhere.
 */
export type Precision = 'auto' | 'fp32';
/** onnxruntime execution providers Pastiche knows how to ask for. */
export type ProviderName = 'cpu' | 'webgpu' | 'dml' | 'coreml' | 'cuda';
export type OutputFormat = 'jpg' | 'png' | 'webp' | 'tiff' | 'avif';
export type ModelVariant = 'tiles' | 'single' | 'fp16' | 'fp16-tiles' | 'int8';
/** Long edge in pixels, or 'original' to keep the photo's size. */
export type SizeChoice = number | 'original';
/**
 * Long edge, in pixels, at which the style is painted, whatever the output size ('native': at the
 * output size, so strokes keep their size in pixels and shrink relative to a larger picture).
 */
export type Brush = number | 'native';

/** Where a style comes from: shipped with the models, or the user's styles folder. */
export type StyleSource = 'builtin' | 'user';

export interface StyleInfo {
  /** Unique across all models, kebab-case, e.g. "starry-night". */
  id: string;
  /** Index into the model's style-weights input (weights-input models); position otherwise. */
  index: number;
  title: string;
  artist: string;
  year: string;
  publicDomain: string;
  /** Where the painting comes from (a reference, for attribution). */
  painting: string;
  source: StyleSource;
  /** Style files: the first 12 hex digits of the sha256 of the vector's float32 bytes (cache keys). */
  vectorSha?: string;
  /** Model id this style belongs to. */
  model: string;
}

export interface ModelFileRef {
  file: string;
  sha256: string;
  bytes: number;
}

/** A learning graph (training/deploy/learn_graph.py) and its tensor names, in the graph's order. */
export interface LearnFileRef extends ModelFileRef {
  io: { inputs: string[]; outputs: string[] };
}

/**
 * Vector-input packs: learning a painting as a style on the engine (docs/styles.md). `graph`: inputs
 * input [B,3,H,W] RGB 0-255 (H, W multiples of 4), style_vector [1,2K], loss_weights [3],
 * gram_s{1,2}_{0..3} [1,C,C]; outputs loss (batch mean), content, style, tv [B], grad [1,2K].
 * `grams`: painting [1,3,H,W] RGB 0-255 at styleSize long edge -> the gram_* inputs. The numbers are
 * the Python learner's defaults (training/styles/learn.py DEFAULTS).
 */
export interface LearnInfo {
  graph: LearnFileRef;
  grams: LearnFileRef;
  /**
   * The VGG19 weight shards (blocks 1-3, one per convolution, CC BY 4.0: shipped beside the app in
   * trainer-data/vgg19, never in the models folder) that both graphs reference as ONNX external
   * data. `file` is relative to the graph file's folder (`vgg19/group1-shard1of1` .. `group8`):
   * a session needs the graph and these files at those paths beside it. `bytes` and `sha256` are
   * those of the whole shard.
   */
  vgg: ModelFileRef[];
  styleSize: number;
  scales: number[];
  crop: number;
  batch: number;
  /** Adam's learning rate, decayed linearly to 0 over the last `lrDecay.lastFraction` of the run. */
  lr: number;
  lrDecay: { shape: 'linear'; lastFraction: number; how: string };
  /** torch.optim.Adam's defaults, as the Python learner uses them. */
  adam: { beta1: number; beta2: number; eps: number };
  /** Training crops (training/core/data.py ContentCrops); `how` says the recipe in words. */
  crops: { minScale: number; flip: number; how: string };
  /** The graph's loss_weights input, in `lossWeightsOrder`. */
  lossWeights: [number, number, number];
  lossWeightsOrder: ['content', 'style', 'tv'];
  /** After each step the vector's first half (the norms' scale) is clamped to at least this. */
  scaleMin: number;
  /** How many probe crops, and their size, choose the built-in to start from (lowest style loss). */
  probeCrops: number;
  probeSize: number;
  /** Which crops those are: fixed centre squares, the same in every run and in both learners. */
  probes: string;
  painting: string;
  styleLayers: string[];
  method: string;
  parity?: Record<string, unknown>;
}

export interface ModelIo {
  input: string;
  output: string;
  /** Name of the [1, S] style-weights input of weights-input multi-style models; null otherwise. */
  styleWeights: string | null;
  /**
   * Name of the [1, styleVectorSize] style-vector input (gamma of every norm layer, then beta;
   * docs/styles.md) of vector-input multi-style models, whose styles are style files.
   */
  styleVector?: string | null;
  styleVectorSize?: number;
  /** Name of the per-image normalization statistics output (full model) / input (tile model). */
  stats: string;
  /** Length of the stats vector (rows: mean, std). Shape [2, statsSize]. */
  statsSize: number;
  layout: 'NCHW';
  channels: 'RGB';
  /** Value range of input and output pixels. */
  range: [number, number];
  /** Height and width must be multiples of this (the engine pads by reflection). */
  multipleOf: number;
}

export interface ModelInfo extends ModelFileRef {
  id: string;
  kind: 'single-style' | 'multi-style';
  io: ModelIo;
  /** Pixels of context each output pixel depends on (tiling halo). */
  receptiveField: number;
  /**
   * Variant files: 'tiles' takes external stats; 'single' is the same function without the stats
   * output (faster, for photos run in one pass); 'fp16' and 'fp16-tiles' for GPU providers;
   * 'int8' is the single-pass graph with int8 convolutions, for the CPU provider.
   */
  variants: Partial<Record<ModelVariant, ModelFileRef>>;
  /** Weights-input models: from the manifest; vector-input models: from the style files. */
  styles: Omit<StyleInfo, 'model'>[];
  /** Vector-input models: the frozen network a style file must have been made for. */
  pack?: { fingerprint: string };
  /** Vector-input models: folder of the built-in style files (relative) and their order. */
  styleFiles?: { dir: string; builtin: string[] };
  /** Vector-input models: the graphs and settings for learning a new style (absent: not learnable). */
  learn?: LearnInfo;
  training?: Record<string, unknown>;
  quality?: Record<string, unknown>;
  provenance?: Record<string, unknown>;
}

export interface Manifest {
  schema: 1;
  models: ModelInfo[];
}

/** A blend of styles of one multi-style model: style id -> weight (weights are normalized). */
export type StyleBlend = Record<string, number>;

/** Pass sizes of a render (electron/imaging/brush.ts BrushPlan), known before anything runs. */
export interface PassPlan {
  mode: 'paint' | 'enlarge' | 'two-scale';
  /** The output (export) size the plan is for. */
  width: number;
  height: number;
  brushWidth: number;
  brushHeight: number;
  detailWidth: number;
  detailHeight: number;
}

/** One inference pass as it ran: for estimates of other sizes from measured rates. */
export interface PassTiming {
  kind: 'brush' | 'detail' | 'paint';
  width: number;
  height: number;
  tiles: number;
  ms: number;
}

/** Where a render's time went. */
export interface RenderTimings {
  passes: PassTiming[];
  /** Decoding the photo (always at its full size) and reducing it to the export size. */
  decodeMs: number;
  decodePixels: number;
  /** Reducing the export-size pixels (reducePixels of them) to the passes and to the target. */
  reduceMs: number;
  reducePixels: number;
  /** Everything else: enlargements, blend, back-projection, colour/strength, encode, write... */
  outputMs: number;
  /** ...at this many output pixels; `blend` when the two-scale blend or enlargement ran. */
  outputPixels: number;
  blend: boolean;
}

export interface StylizeOptions {
  /** A style id, or a blend of style ids of the same model. */
  style: string | StyleBlend;
  size: SizeChoice;
  brush: Brush;
  /** 0 = the photo, 1 = full style. */
  strength: number;
  preserveColors: boolean;
  format: OutputFormat;
  /** 1-100 */
  quality: number;
  keepMetadata: boolean;
  stripGps: boolean;
}

/**
 * 'skipped': not painted on purpose (its output exists, skip-existing); 'cancelled': stopped while
 * it was being painted; 'not-started': the batch was cancelled before it reached this file.
 */
export type FileStatus = 'ok' | 'failed' | 'skipped' | 'cancelled' | 'not-started';

export interface FileResult {
  input: string;
  output: string | null;
  status: FileStatus;
  error?: string;
  warnings?: string[];
  ms: number;
  device: ProviderName | null;
  /** Where the time of a stylized file went (estimates learn from real exports). */
  timings?: RenderTimings;
  /**
   * What was at the output's name (batches): nothing ('new'), this photo's export with the same
   * settings ('same': replaced, or skipped with skip-existing), another export kept by taking
   * the next free name ('renamed'), another export replaced as asked ('overwritten').
   */
  outcome?: 'new' | 'same' | 'renamed' | 'overwritten';
  /** The outcome in words, for reports. */
  note?: string;
}

export interface BatchProgress {
  done: number;
  total: number;
  current: string | null;
  etaMs: number | null;
  /** 0-1 of the batch, the photos in flight counted by their own progress (passes, tiles). */
  fraction?: number;
  /** Where the photo in progress is, e.g. 'detail pass, tile 3 of 8'. */
  stage?: string | null;
}

export interface BatchReport {
  files: FileResult[];
  device: ProviderName | null;
  cancelled: boolean;
  /** The app's export with a contact sheet: where it was written (a row per photo: the photo, then each style). */
  contactSheet?: string;
}

export interface DeviceReport {
  requested: DeviceChoice;
  /** Provider that actually ran the most recent inference. */
  provider: ProviderName;
  /** Set when a GPU was asked for (or auto) and the engine fell back to CPU: why. */
  fallbackReason?: string;
}

/** One progress line of the style learner. */
export interface TrainProgress {
  step: number;
  of: number;
  elapsedS: number;
  etaS: number;
  /** Moving average of the total loss. */
  loss: number;
  /** The last step's content and style losses. */
  content?: number;
  style?: number;
}

/** Learning a style from a painting: what the CLI and the app choose (electron/learning/style-learner.ts). */
export interface LearnStyleOptions {
  painting: string;
  id: string;
  title?: string;
  artist?: string;
  minutes: number;
  /** Stop after this many steps instead (tests, benchmarks); 0 or absent: the minutes decide. */
  steps?: number;
  /** Seconds spent fitting a blend of the built-in styles before the vector itself (default 0). */
  blendS?: number;
  seed?: number;
  /** Where materialized learning graphs are kept (default: a folder in the system's temp folder). */
  cacheDir?: string;
  /** The folder whose trainer-data/ (else ../shared/data) holds the VGG19 weights and training photos (default: the package root). */
  dataRoot?: string;
  /** A photo to show the current result on, every previewEveryS seconds (default 60). */
  previewPhoto?: string;
  previewEveryS?: number;
  signal?: AbortSignal;
  onProgress?(p: TrainProgress): void;
  /** A new preview image of the current result. */
  onPreview?(data: Buffer, mime: 'image/jpeg' | 'image/png'): void;
}

/** A worker crash as the app shows it: what happened, and whether the job in flight was retried. */
export interface CrashInfo {
  message: string;
  retried: boolean;
}
