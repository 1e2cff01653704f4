// The vocabulary of `pastiche bench`: the sizes it takes, its options, and the report it writes
// (timings as medians of real runs, ratios, the machine they ran on).
import type { Brush, DeviceChoice, Precision, ProviderName } from '../common/types.js';
import type { Spawner } from '../engine/supervisor.js';

export interface BenchSize {
  label: string;
  width: number;
  height: number;
}

export const NAMED_SIZES: Record<string, [number, number]> = {
  '720p': [1280, 720],
  '1080p': [1920, 1080],
  '4k': [3840, 2160],
};

/** '512' (square), '720p', '1080p', '4k', or 'WxH'. Throws RangeError on anything else. */
export function parseBenchSize(s: string): BenchSize {
  const key = s.trim().toLowerCase();
  const named = NAMED_SIZES[key];
  if (named) return { label: key, width: named[0], height: named[1] };
  const sq = /^(\d+)$/.exec(key);
  const wh = /^(\d+)x(\d+)$/.exec(key);
  const w = Number(sq?.[1] ?? wh?.[1]);
  const h = Number(sq?.[1] ?? wh?.[2]);
  if (!(Number.isInteger(w) && Number.isInteger(h) && w >= 16 && h >= 16 && w <= 16384 && h <= 16384)) {
    throw new RangeError(`unknown size '${s}' (use N, WxH, 720p, 1080p or 4k; 16-16384 px)`);
  }
  return { label: key, width: w, height: h };
}

export interface BenchOptions {
  sizes: BenchSize[];
  devices: DeviceChoice[];
  runs: number;
  warmups?: number;
  modelsDir?: string;
  /** Style of the built-in model (default: the manifest's first). */
  style?: string;
  /** reference-w32 from bench/models; false skips it. */
  reference?: boolean;
  referenceDir?: string;
  threads?: number;
  tilePixels?: number;
  statsEdge?: number;
  /** Graphs of the built-in model (Engine's precision; default 'auto'). */
  precision?: Precision;
  /** Also run whole files (decode -> encode -> write) per size. */
  endToEnd?: boolean;
  /** Photos in a 1080p folder batch through Engine.runBatch (decode/encode overlap); 0 = skip. */
  batch?: number;
  /** Brush of the per-size entries (default 'native': the model's own cost at that size). */
  brush?: Brush;
  /**
   * Photos for the brush targets (bench-brush.ts): each exported at its own size with `brush`
   * (default DEFAULT_BRUSH), at 'native', and at the brush size, in one engine.
   */
  photos?: string[];
  spawner?: Spawner;
  workerPath?: string;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
}

export interface Timing {
  median: number;
  min: number;
  runs: number[];
}

export interface BenchEntry {
  model: 'builtin' | 'reference';
  modelId: string;
  brush: Brush;
  size: string;
  width: number;
  height: number;
  device: DeviceChoice;
  provider: ProviderName | null;
  fallbackReason?: string;
  tiles: number;
  /** Inference on decoded pixels: tensor conversion, (tiled) ORT runs, blending. */
  inferMs: Timing | null;
  /** Whole file: decode, inference, post-processing, JPEG encode with metadata, atomic write. */
  endToEndMs: Timing | null;
  /** Peak RSS of the worker process that ran this entry (fresh process per entry). */
  peakRssBytes: number | null;
  error?: string;
}

export interface BenchRatio {
  size: string;
  device: DeviceChoice;
  /** builtin median inference / reference median inference (same process, same runs). */
  builtinOverReference: number;
}

export interface BatchBench {
  files: number;
  width: number;
  height: number;
  device: DeviceChoice;
  concurrency: number;
  wallMs: number;
  filesPerSecond: number;
  /** 1080p inference of the same model (as inferMs), runs right before and right after the batch. */
  inferenceOnlyMs: Timing;
  /** 1000 / inferenceOnlyMs.median: the ceiling the batch is compared with. */
  inferenceOnlyFilesPerSecond: number;
  /** filesPerSecond / inferenceOnlyFilesPerSecond. */
  efficiency: number;
}

/** The brush's targets on one photo (all from the same engine, the timed runs in turns). */
export interface BrushBench {
  photo: string;
  width: number;
  height: number;
  brush: number;
  style: string;
  /** Whole file at the photo's size (decode -> passes -> blend -> JPEG q92 with metadata -> write), at the brush and native. */
  brushMs: Timing;
  nativeMs: Timing;
  /** brushMs.median / nativeMs.median (target <= BRUSH_TARGETS.timeRatio). */
  timeRatio: number;
  /** Mean |diff| (0-255) of the full-size export reduced to the brush size vs the brush-size export (both PNG). */
  diffAtBrush: number;
  /** The same of the timed JPEG q92 exports (the codec's own error included). */
  diffAtBrushJpeg: number;
  /** Mean |Laplacian| of luminance of the full-size export / that of a Lanczos upscale of the brush-size export. */
  laplacianRatio: number;
  meets: { diff: boolean; laplacian: boolean; time: boolean };
}

/** The brush's targets (docs/performance.md). */
export const BRUSH_TARGETS = { diffAtBrush: 4, laplacianRatio: 1.5, timeRatio: 0.5 } as const;

export interface MachineInfo {
  cpu: string;
  cores: number;
  logicalCpus: number;
  memoryBytes: number;
  os: string;
  arch: string;
  node: string;
  onnxruntime: string | null;
  sharp: string | null;
  libvips: string | null;
}

export interface BenchReport {
  schema: 1;
  createdAt: string;
  machine: MachineInfo;
  settings: { runs: number; warmups: number; threads: number; tilePixels: number; statsEdge: number; precision: Precision; brush: Brush; sizes: string[]; devices: DeviceChoice[] };
  models: { builtin: { id: string; file: string; style: string } | null; reference: { id: string; file: string } | null };
  results: BenchEntry[];
  ratios: BenchRatio[];
  batch: BatchBench | null;
  brush: BrushBench[];
}

export function timing(runs: number[]): Timing {
  const sorted = [...runs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length === 0 ? NaN : sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { median: r(median), min: r(sorted[0] ?? NaN), runs: runs.map(r) };
}
