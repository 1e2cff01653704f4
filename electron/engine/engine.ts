// Engine facade used by the CLI and the Electron app: models, style resolution, single files,
// previews, batches, doctor. Inference happens in the supervised worker process.
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PasticheError } from '../common/errors.js';
// prettier-ignore
import { checkBoolean, checkInteger, DEFAULT_MAX_PIXELS, DEFAULT_STYLIZE_OPTIONS, normalizeStylizeOptions, parseDevice, parseFormat, parseMaxPixels, parsePrecision, parsePreviewSize, parseRect, parseSize, parseThreads } from '../common/params.js';
// prettier-ignore
import type { BatchProgress, DeviceChoice, DeviceReport, FileResult, LearnStyleOptions, ModelInfo, OutputFormat, Precision, ProviderName, StyleBlend, StyleInfo, StylizeOptions } from '../common/types.js';
import type { Recipe } from '../common/recipe.js';
import { checkOutputDir, outputPathIn, tempPathFor } from './batch.js';
import { runBatch, toFileResult, type BatchHost } from './batch-run.js';
import { batchRecipe, photoRecipe, readRecipe, recipeOptions, type RecipeSettings } from './recipe-io.js';
import { loadManifest, styleInput, type LoadedManifest, type ModelError } from '../catalog/manifest.js';
import { DEFAULT_BATCH_CONCURRENCY, DEFAULT_PROGRESS_INTERVAL_MS, DEFAULT_STATS_EDGE, DEFAULT_TILE_PIXELS, type BatchOptions, type EngineOptions, type EngineStylizeInput } from './engine-options.js';
import { modelSpec } from './model-spec.js';
import { workerCrash, type DoctorReport, type EngineBatchReport, type ModelStatus, type WorkerCrash } from './reports.js';
import { defaultWorkerPath, resolveModelsDir, resolveUserStylesDir } from './paths.js';
import type { PackRef, StyleFileProblem } from '../catalog/style-files.js';
import { checkNewStyleId, learnablePack, learnUserStyle, loadedUserStyle, removeUserStyle, renameUserStyle } from '../catalog/user-styles.js';
import { Supervisor, type JobOptions } from './supervisor.js';
import type { PreviewJob, PreviewOutput, RegionJob, RegionOutput, RenderSettings, StylizeJob, StylizeResult, WarmupResult } from '../common/worker-protocol.js';

type EngineEvents = {
  'worker-crash': [WorkerCrash];
  'worker-restart': [number | undefined];
  crash: [WorkerCrash]; // aliases of worker-crash / worker-restart
  restart: [number | undefined];
  progress: [BatchProgress];
  device: [DeviceReport];
};

export class Engine extends EventEmitter<EngineEvents> {
  private manifest!: LoadedManifest;
  private readonly sup: Supervisor;
  private lastDevice: DeviceReport | null = null;
  readonly modelsDir: string;
  readonly userStylesDir: string | null;
  readonly device: DeviceChoice;
  readonly precision: Precision;
  private readonly threads: number;
  private readonly maxPixels: number;
  private readonly tilePixels: number;
  private readonly statsEdge: number;
  private readonly concurrency: number;
  private readonly progressIntervalMs: number;

  private constructor(private readonly opts: EngineOptions) {
    super();
    this.modelsDir = resolveModelsDir(opts.modelsDir);
    this.userStylesDir = opts.userStylesDir === undefined ? resolveUserStylesDir() : opts.userStylesDir && path.resolve(opts.userStylesDir);
    this.device = parseDevice(opts.device ?? 'auto');
    this.precision = parsePrecision(opts.precision ?? 'auto');
    this.threads = opts.threads === undefined ? os.availableParallelism() : parseThreads(opts.threads);
    this.maxPixels = opts.maxPixels === undefined ? DEFAULT_MAX_PIXELS : parseMaxPixels(opts.maxPixels);
    this.tilePixels = opts.tilePixels ?? DEFAULT_TILE_PIXELS;
    this.statsEdge = opts.statsEdge ?? DEFAULT_STATS_EDGE;
    this.concurrency = Math.max(1, opts.concurrency ?? DEFAULT_BATCH_CONCURRENCY);
    this.progressIntervalMs = opts.progressIntervalMs === undefined ? DEFAULT_PROGRESS_INTERVAL_MS : checkInteger('progressIntervalMs', opts.progressIntervalMs, { min: 0, max: 60_000 }, 'strict');
    const workerPath = opts.workerPath ?? defaultWorkerPath();
    if (!existsSync(workerPath)) {
      throw new PasticheError('INTERNAL', `Inference worker not found at ${workerPath}; run 'npm run build:node'`);
    }
    const supOpts: ConstructorParameters<typeof Supervisor>[0] = { workerPath };
    if (opts.spawner) supOpts.spawner = opts.spawner;
    if (opts.cancelGraceMs !== undefined) supOpts.cancelGraceMs = opts.cancelGraceMs;
    this.sup = new Supervisor(supOpts);
    this.sup.on('crash', (e) => {
      const info = workerCrash(e);
      this.emit('worker-crash', info);
      this.emit('crash', info);
    });
    this.sup.on('restart', (pid) => {
      this.emit('worker-restart', pid);
      this.emit('restart', pid);
    });
  }

  /** Loads and verifies the manifest. Broken models are reported by modelErrors(), never thrown. */
  static async create(opts: EngineOptions = {}): Promise<Engine> {
    const e = new Engine(opts);
    await e.reloadModels();
    return e;
  }

  async reloadModels(): Promise<void> {
    this.manifest = await loadManifest(this.modelsDir, { verify: this.opts.verify ?? 'sha256', userStylesDir: this.userStylesDir });
  }

  /** Style files that were refused, each naming its file (they never hide the other styles). */
  styleProblems(): StyleFileProblem[] {
    return this.manifest.styleProblems.map((p) => ({ ...p }));
  }

  /** The pack a new style is learned for, or null when no vector-input model loaded. */
  learnablePack(): PackRef | null {
    return learnablePack(this.manifest);
  }

  /** Throws ParamError unless `id` is free for a new user style (built-in ids never are). */
  checkNewStyleId(id: string, name = 'id'): void {
    checkNewStyleId(this.manifest, id, name);
  }

  /** Learns a style from a painting into the user's styles folder (user-styles.ts), then loads it. */
  async addStyle(o: LearnStyleOptions): Promise<StyleInfo> {
    if (!this.opts.learner) throw new PasticheError('INTERNAL', 'This engine was created without a style learner');
    await learnUserStyle(this.manifest, this.modelsDir, this.userStylesDir, o, this.opts.learner, async (job, opts) => {
      // Previews of the current vector: the pack's render settings, a 512 px preview of the photo.
      const style = o.previewPhoto ? this.manifest.styles.find((s) => s.source === 'builtin' && s.model === learnablePack(this.manifest)?.id) : undefined;
      const settings = style ? this.settings(this.normalize({ style: style.id }), {}) : null;
      const preview =
        settings && o.previewPhoto ? { job: { ...settings, input: path.resolve(o.previewPhoto), size: 512, exportSize: DEFAULT_STYLIZE_OPTIONS.size }, everyS: o.previewEveryS ?? 60 } : null;
      const r = await this.sup.request('learn', { ...job, device: this.device, threads: this.threads, preview }, { ...opts, label: `learning '${o.id}'` });
      this.noteDevice(r.provider, r.fallbackReason);
      return r;
    });
    await this.reloadModels();
    return loadedUserStyle(this.manifest, o.id);
  }

  /** Retitles or deletes one of the user's styles (never a built-in one). */
  async renameStyle(id: string, title: string): Promise<void> {
    await renameUserStyle(this.manifest, id, title).then(() => this.reloadModels());
  }
  async removeStyle(id: string): Promise<void> {
    await removeUserStyle(this.manifest, id).then(() => this.reloadModels());
  }

  styles(): StyleInfo[] {
    return this.manifest.styles.map((s) => ({ ...s }));
  }

  models(): ModelInfo[] {
    return this.manifest.models.map((m) => m.info);
  }

  modelErrors(): ModelError[] {
    return [...this.manifest.errors];
  }

  /** The manifest's first style: what runs when no style is given. */
  defaultStyle(): string | null {
    return this.manifest.styles[0]?.id ?? null;
  }

  /** Throws ParamError (code INVALID_PARAM) unless the style or blend resolves to one loaded model. */
  checkStyle(style: string | StyleBlend): void {
    styleInput(this.manifest, style);
  }

  deviceReport(): DeviceReport | null {
    return this.lastDevice ? { ...this.lastDevice } : null;
  }

  /** Worker pid (tests, diagnostics). */
  get workerPid(): number | undefined {
    return this.sup.pid;
  }

  private noteDevice(provider: ProviderName, fallbackReason: string | undefined): void {
    const r: DeviceReport = { requested: this.device, provider };
    if (fallbackReason) r.fallbackReason = fallbackReason;
    this.lastDevice = r;
    this.emit('device', r);
  }

  private settings(o: StylizeOptions, extra: EngineStylizeInput): RenderSettings {
    const r = styleInput(this.manifest, o.style);
    const m = r.model;
    const s: RenderSettings = {
      model: modelSpec(m, r.weights, this.precision, r.vector),
      size: o.size,
      brush: o.brush,
      allowUpscale: extra.allowUpscale === undefined ? false : checkBoolean('allowUpscale', extra.allowUpscale),
      strength: o.strength,
      preserveColors: o.preserveColors,
      device: this.device,
      threads: this.threads,
      maxPixels: this.maxPixels,
      tilePixels: this.tilePixels,
      statsEdge: this.statsEdge,
    };
    if (extra.tileSize !== undefined) s.tileSize = extra.tileSize;
    if (extra.brushChosen !== undefined && checkBoolean('brushChosen', extra.brushChosen)) s.brushChosen = true;
    return s;
  }

  private normalize(opts: EngineStylizeInput): StylizeOptions {
    const style = opts.style ?? this.defaultStyle();
    if (style === null) {
      const why = this.manifest.errors[0]?.message ?? `no models in ${this.modelsDir}`;
      throw new PasticheError('MODEL', `No styles available: ${why}`);
    }
    return normalizeStylizeOptions({ ...opts, style });
  }

  // prettier-ignore
  private async runJob(input: string, output: string, o: StylizeOptions, extra: EngineStylizeInput, signal?: AbortSignal, recipe?: Recipe, onProgress?: JobOptions['onProgress']): Promise<StylizeResult> {
    const tmp = tempPathFor(output);
    const job: StylizeJob = {
      ...this.settings(o, extra),
      input,
      output,
      tmp,
      format: o.format,
      quality: o.quality,
      keepMetadata: o.keepMetadata,
      stripGps: o.stripGps,
      recipe: recipe ?? (await photoRecipe(batchRecipe(this.manifest, o, this.precision), input)),
    };
    const r = await this.sup.request('stylize', job, { signal, tmpFile: tmp, label: input, onProgress });
    this.noteDevice(r.provider, r.fallbackReason);
    return r;
  }

  /** Stylizes one photo into a folder (same base name) or to an explicit path. */
  async stylizeFile(input: string, target: { outDir: string } | { outputPath: string }, opts: EngineStylizeInput = {}, signal?: AbortSignal): Promise<FileResult> {
    const t0 = performance.now();
    let o: StylizeOptions;
    let output: string;
    if ('outputPath' in target) {
      output = path.resolve(target.outputPath);
      // An explicit path's extension decides the format unless one was given.
      const ext = path.extname(output).slice(1).toLowerCase();
      let format: OutputFormat | undefined;
      try {
        format = opts.format === undefined && ext ? parseFormat(ext) : undefined;
      } catch {
        format = undefined;
      }
      o = this.normalize(format ? { ...opts, format } : opts);
      await checkOutputDir(path.dirname(output));
    } else {
      o = this.normalize(opts);
      await checkOutputDir(target.outDir);
      output = outputPathIn(target.outDir, input, o.format);
    }
    const inputAbs = path.resolve(input);
    const same = output.toLowerCase() === inputAbs.toLowerCase() || (existsSync(inputAbs) && existsSync(output) && (await realpath(output)) === (await realpath(inputAbs)));
    if (same) {
      return { input: inputAbs, output: null, status: 'failed', error: `Refused: the output ${output} would overwrite the input photo`, ms: 0, device: null };
    }
    try {
      return toFileResult(inputAbs, output, t0, await this.runJob(inputAbs, output, o, opts, signal), null);
    } catch (e) {
      if (e instanceof PasticheError && (e.code === 'CANCELLED' || e.code === 'DISK_FULL')) throw e;
      return toFileResult(inputAbs, output, t0, null, e);
    }
  }

  /**
   * Small stylized rendering for the UI; returns encoded JPEG (PNG with alpha) bytes. It is the
   * export at `exportSize` (default: the photo's own size) downscaled to `size`: same brush plan.
   */
  async preview(input: string, opts: EngineStylizeInput & { size: number; exportSize?: unknown; crop?: { width: unknown; height: unknown } }, signal?: AbortSignal): Promise<PreviewOutput> {
    const size = parsePreviewSize(opts.size);
    const exportSize = opts.exportSize === undefined ? DEFAULT_STYLIZE_OPTIONS.size : parseSize(opts.exportSize, 'exportSize');
    const o = this.normalize({ ...opts, size });
    const job: PreviewJob = { ...this.settings(o, opts), size, exportSize, input: path.resolve(input) };
    if (opts.crop) job.crop = { width: parsePreviewSize(opts.crop.width, 'crop.width'), height: parsePreviewSize(opts.crop.height, 'crop.height') };
    // A style thumbnail waits while the preview the user looks at is painted.
    const r = await this.sup.request('preview', job, { signal, label: input, priority: job.crop ? 'background' : 'interactive' });
    this.noteDevice(r.provider, r.fallbackReason);
    // Structured clone turns Buffers into Uint8Arrays; hand callers a Buffer again.
    return { ...r, data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength) };
  }

  /** The 1:1 view: `rect` of the export at `exportSize`, painted at the export's size (region.ts). */
  async region(input: string, opts: EngineStylizeInput & { exportSize: unknown; rect: unknown }, signal?: AbortSignal): Promise<RegionOutput> {
    const exportSize = parseSize(opts.exportSize, 'exportSize');
    const job: RegionJob = { ...this.settings(this.normalize({ ...opts, size: exportSize }), opts), exportSize, input: path.resolve(input), rect: parseRect(opts.rect) };
    const r = await this.sup.request('region', job, { signal, label: input, priority: 'interactive' });
    this.noteDevice(r.provider, r.fallbackReason);
    return { ...r, data: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength) };
  }

  async warmup(style?: string): Promise<WarmupResult> {
    const o = this.normalize(style ? { style } : {});
    const s = this.settings(o, {});
    const r = await this.sup.request('warmup', { model: s.model, device: this.device, threads: this.threads });
    this.noteDevice(r.provider, r.fallbackReason);
    return r;
  }

  /**
   * Stylizes files and folders into outDir. Per-file failures never stop the batch; a full disk
   * does. `signal` aborts immediately (in-flight file too, no partial output);
   * `opts.stopSignal` stops between files.
   */
  async runBatch(inputs: readonly string[], outDir: string, opts: BatchOptions = {}, onProgress?: (p: BatchProgress) => void, signal?: AbortSignal): Promise<EngineBatchReport> {
    const host: BatchHost = {
      manifest: this.manifest,
      precision: this.precision,
      concurrency: this.concurrency,
      progressIntervalMs: this.progressIntervalMs,
      normalize: (o) => this.normalize(o),
      settings: (o, extra) => this.settings(o, extra),
      runJob: (...a) => this.runJob(...a),
      emitProgress: (p) => this.emit('progress', p),
    };
    return runBatch(host, inputs, outDir, opts, onProgress, signal);
  }

  /** The recipe in a painted file and its painting options, checked against the loaded pack and styles. */
  async recipeFrom(file: string): Promise<RecipeSettings> {
    const recipe = (await readRecipe(path.resolve(file), true)) as Recipe;
    return { recipe, options: recipeOptions(this.manifest, recipe, file) };
  }

  /** Environment, providers (with a real GPU session probe) and model status. */
  async doctor(): Promise<DoctorReport> {
    const d = await this.sup.request('doctor', {});
    const models: ModelStatus[] = this.manifest.models.map((m) => ({ id: m.info.id, ok: true, styles: m.info.styles.map((s) => s.id) }));
    for (const e of this.manifest.errors) models.push({ id: e.model, ok: false, styles: [], error: e.message });
    return { ...d, modelsDir: this.modelsDir, models, userStylesDir: this.userStylesDir, styleProblems: this.styleProblems(), device: this.deviceReport() };
  }

  async close(): Promise<void> {
    await this.sup.close();
  }
}
