// The batch loop of Engine.runBatch: plan the export, run its photos over a small pool of
// workers, throttle progress and estimate the time left, then report every file in input order.
import { serializeError } from '../common/errors.js';
import { checkBoolean } from '../common/params.js';
import type { BatchProgress, FileResult, Precision, StylizeOptions } from '../common/types.js';
import type { Recipe } from '../common/recipe.js';
import { BatchEta, photoFraction } from '../common/eta.js';
import type { RenderSettings, StylizeResult } from '../common/worker-protocol.js';
import type { LoadedManifest } from '../catalog/manifest.js';
import { checkOutputDir, notProcessed, placementNote, placementResult, prepareOutputDirs, sweepStaleTemps, type PlannedFile } from './batch.js';
import { planExport } from './recipe-io.js';
import type { BatchOptions, EngineStylizeInput } from './engine-options.js';
import type { EngineBatchReport } from './reports.js';
import type { JobOptions } from './supervisor.js';

/** What a batch needs of the Engine (built by Engine.runBatch; its private members stay private). */
export interface BatchHost {
  readonly manifest: LoadedManifest;
  readonly precision: Precision;
  readonly concurrency: number;
  /** Least ms between two updates from within a photo. */
  readonly progressIntervalMs: number;
  normalize(opts: EngineStylizeInput): StylizeOptions;
  settings(o: StylizeOptions, extra: EngineStylizeInput): RenderSettings;
  // prettier-ignore
  runJob(input: string, output: string, o: StylizeOptions, extra: EngineStylizeInput, signal?: AbortSignal, recipe?: Recipe, onProgress?: JobOptions['onProgress']): Promise<StylizeResult>;
  /** The Engine's 'progress' event. */
  emitProgress(p: BatchProgress): void;
}

/** One file's result from the worker's answer, or from the error that stopped it. */
export function toFileResult(input: string, output: string | null, t0: number, r: StylizeResult | null, e: unknown): FileResult {
  const ms = Math.round(performance.now() - t0);
  if (r) {
    const f: FileResult = { input, output: r.output, status: 'ok', ms: r.ms, device: r.provider, timings: r.timings };
    if (r.warnings.length) f.warnings = r.warnings;
    return f;
  }
  return { input, output, status: 'failed', error: serializeError(e).message, ms, device: null };
}

/** Engine.runBatch's body (see its doc comment). */
// prettier-ignore
export async function runBatch(host: BatchHost, inputs: readonly string[], outDir: string, opts: BatchOptions, onProgress?: (p: BatchProgress) => void, signal?: AbortSignal): Promise<EngineBatchReport> {
  const o = host.normalize(opts);
  const recursive = opts.recursive === undefined ? false : checkBoolean('recursive', opts.recursive);
  const skipExisting = opts.skipExisting === undefined ? false : checkBoolean('skipExisting', opts.skipExisting);
  // Validate the style before touching the disk.
  host.settings(o, opts);
  await checkOutputDir(outDir);
  const { plan, recipeOf } = await planExport(host.manifest, host.precision, inputs, outDir, o, { recursive, overwrite: opts.overwrite, template: opts.nameTemplate });
  await prepareOutputDirs(plan.dirs);
  await sweepStaleTemps(plan.dirs);

  const total = plan.files.length;
  const results: (FileResult | undefined)[] = new Array(total);
  const report: EngineBatchReport = { files: [], device: null, cancelled: false };
  let done = 0;
  const eta = new BatchEta(total, { concurrency: host.concurrency });
  let stage: string | null = null;
  let sentAt = 0;
  let stopped: string | null = null;
  // Within a photo the worker reports every pass and tile: those are thinned to one per interval.
  const progress = (current: string | null, within = false): void => {
    const now = performance.now();
    if (within && now - sentAt < host.progressIntervalMs) return;
    sentAt = now;
    const p: BatchProgress = { done, total, current, etaMs: eta.eta(done, now), fraction: eta.fraction(done), stage };
    onProgress?.(p);
    host.emitProgress(p);
  };
  progress(null);

  let next = 0;
  const stopRequested = (): boolean => Boolean(signal?.aborted || opts.stopSignal?.aborted || stopped);
  const worker = async (): Promise<void> => {
    while (!stopRequested()) {
      const i = next++;
      if (i >= total) return;
      const f = plan.files[i] as (typeof plan.files)[number];
      const start = performance.now();
      if (!f.output) {
        results[i] = { input: f.input, output: null, status: 'failed', error: f.error ?? 'Refused', ms: 0, device: null };
      } else if (skipExisting && f.placement === 'same') {
        results[i] = { input: f.input, output: f.output, status: 'skipped', ms: 0, device: null, outcome: 'same', note: placementNote(f, true) };
      } else {
        eta.started(i, start);
        stage = null;
        progress(f.input);
        try {
          const r = await host.runJob(f.input, f.output, o, opts, signal, await recipeOf(f.input), (st, fr, detail) => {
            eta.progress(i, photoFraction(st, fr));
            stage = detail ?? st;
            progress(f.input, true);
          });
          results[i] = { ...toFileResult(f.input, f.output, start, r, null), ...placementResult(f) };
          report.device = r.provider;
          eta.finished(i, r.width * r.height, r.ms);
        } catch (e) {
          eta.dropped(i);
          const err = serializeError(e);
          if (err.code === 'CANCELLED') {
            results[i] = { input: f.input, output: null, status: 'cancelled', error: 'Cancelled', ms: Math.round(performance.now() - start), device: null };
          } else {
            if (err.code === 'DISK_FULL') stopped = err.message;
            results[i] = { input: f.input, output: null, status: 'failed', error: err.message, ms: Math.round(performance.now() - start), device: null };
          }
        }
      }
      done++;
      progress(null);
    }
  };
  await Promise.all(Array.from({ length: Math.min(host.concurrency, Math.max(1, total)) }, () => worker()));

  report.cancelled = Boolean(signal?.aborted || opts.stopSignal?.aborted) && !stopped;
  for (let i = 0; i < total; i++) report.files.push(results[i] ?? notProcessed((plan.files[i] as PlannedFile).input, stopped));
  if (stopped) report.stoppedReason = stopped;
  return report;
}
