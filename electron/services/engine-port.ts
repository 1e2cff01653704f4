// The slice of the engine facade (electron/engine/index.ts) the app services use.
// Typed structurally so services and their tests do not depend on the engine's
// internals, and a fake engine can stand in for it in unit tests.

import type { Recipe } from '../common/recipe.js';
import type { BatchProgress, BatchReport, DeviceReport, PassPlan, ProviderName, RenderTimings, SizeChoice, StyleInfo, StylizeOptions } from '../common/types.js';

export interface PreviewOutput {
  /** The encoded image: JPEG, or PNG where the photo has alpha (`mime` says which). */
  data: Buffer;
  mime: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
  ms: number;
  provider: ProviderName;
  /** The photo's upright size, the plan of the export the preview stands for, where its time went. */
  sourceWidth: number;
  sourceHeight: number;
  exportPlan: PassPlan;
  timings: RenderTimings;
  limits: { tilePixels: number; statsEdge: number };
}

/** A preview of the export at `exportSize` reduced to `size`; `crop`: a style thumbnail (engine.ts). */
export type PreviewOptions = StylizeOptions & { size: number; exportSize: SizeChoice; crop?: { width: number; height: number } };

export interface CrashInfo {
  message: string;
  retried: boolean;
}

/** What the app passes to the engine's addStyle (electron/engine/style-trainer.ts: AddStyleOptions). */
export interface AddStylePortOptions {
  painting: string;
  id: string;
  title?: string;
  artist?: string;
  minutes: number;
  python?: string;
  root?: string;
  previewPhoto?: string;
  previewEveryS?: number;
  signal?: AbortSignal;
  onProgress?(p: { step: number; of: number; elapsedS: number; etaS: number; loss: number }): void;
  onPreview?(file: string): void;
}

export interface EnginePort {
  styles(): StyleInfo[];
  /** Model files (for cache keys: a retrained model must not show a stale style thumbnail). */
  models?(): readonly { id: string; sha256: string }[];
  modelErrors(): readonly unknown[];
  /** Style files that were refused (each message names its file). */
  styleProblems?(): readonly { file: string; message: string }[];
  /** The user's styles (electron/engine/engine.ts): learn one from a painting, retitle, delete, re-read. */
  checkNewStyleId?(id: string, name?: string): void;
  addStyle?(o: AddStylePortOptions): Promise<StyleInfo>;
  renameStyle?(id: string, title: string): Promise<void>;
  removeStyle?(id: string): Promise<void>;
  reloadModels?(): Promise<void>;
  preview(input: string, opts: PreviewOptions, signal?: AbortSignal): Promise<PreviewOutput>;
  runBatch(
    inputs: string[],
    outDir: string,
    opts: StylizeOptions & { recursive: boolean; skipExisting: boolean; brushChosen?: boolean; nameTemplate?: string },
    onProgress: (p: BatchProgress) => void,
    signal?: AbortSignal,
  ): Promise<BatchReport>;
  /** The recipe in a painted file and the options it paints with (electron/engine/recipe-io.ts). */
  recipeFrom?(file: string): Promise<{ recipe: Recipe; options: Pick<StylizeOptions, 'style' | 'strength' | 'brush' | 'preserveColors' | 'size'> }>;
  doctor(): Promise<unknown> | unknown;
  deviceReport(): DeviceReport | null | Promise<DeviceReport | null>;
  /** Start the worker and load the model (shows which provider the device choice got). */
  warmup?(): Promise<unknown>;
  close(): Promise<void> | void;
}
