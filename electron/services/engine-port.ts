// The slice of the engine facade (electron/engine/index.ts) the app services use.
// Typed structurally so services and their tests do not depend on the engine's
// internals, and a fake engine can stand in for it in unit tests.

import type { Recipe } from '../common/recipe.js';
import type { PreviewOutput, RegionOutput } from '../common/worker-protocol.js';
import type { BatchProgress, BatchReport, DeviceReport, LearnStyleOptions, SizeChoice, StyleInfo, StylizeOptions } from '../common/types.js';

/** A preview of the export at `exportSize` reduced to `size`; `crop`: a style thumbnail (engine.ts). */
export type PreviewOptions = StylizeOptions & { size: number; exportSize: SizeChoice; brushChosen: boolean; crop?: { width: number; height: number } };

export type RegionOptions = Omit<StylizeOptions, 'size'> & { exportSize: SizeChoice; brushChosen: boolean; rect: { x: number; y: number; width: number; height: number } };

export interface EnginePort {
  styles(): StyleInfo[];
  /** Model files (for cache keys: a retrained model must not show a stale style thumbnail). */
  models?(): readonly { id: string; sha256: string }[];
  modelErrors(): readonly unknown[];
  /** Style files that were refused (each message names its file). */
  styleProblems?(): readonly { file: string; message: string }[];
  /** The user's styles (electron/engine/engine.ts): learn one from a painting, retitle, delete, re-read. */
  checkNewStyleId?(id: string, name?: string): void;
  addStyle?(o: LearnStyleOptions): Promise<StyleInfo>;
  renameStyle?(id: string, title: string): Promise<void>;
  removeStyle?(id: string): Promise<void>;
  reloadModels?(): Promise<void>;
  preview(input: string, opts: PreviewOptions, signal?: AbortSignal): Promise<PreviewOutput>;
  /** The 1:1 view: a rectangle of the export at its own pixels (engine.ts `region`). */
  region?(input: string, opts: RegionOptions, signal?: AbortSignal): Promise<RegionOutput>;
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
