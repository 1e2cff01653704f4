// Entry of the supervised inference process. onnxruntime-node is loaded only here, on a thread of
// its own (ort-host.ts); this thread decodes, pipelines and encodes. A native abort in onnxruntime
// (seen with WebGPU) kills just this process; the supervisor restarts it and retries the job.
// Works as a child_process.fork child (process.send) and as an Electron utility process
// (process.parentPort).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import sharp from 'sharp';
import { PasticheError, serializeError } from '../common/errors.js';
import type { DeviceChoice, ProviderName } from '../common/types.js';
import { runPreview, runStylize, stylizePixels, type CancelToken, type ModelRunner } from '../imaging/pipeline.js';
import { rgbToTensor, tensorToRgb } from '../imaging/pixels.js';
import { timed } from '../imaging/trace.js';
import type {
  BenchJob,
  BenchResult,
  DoctorResult,
  ModelSpec,
  ProviderProbe,
  WarmupJob,
  WarmupResult,
  WorkerRequest,
  WorkerResponse,
} from '../engine/worker-protocol.js';
import { explainNoAdapter, softwareDriverPolicy } from './gpu-drivers.js';
import { startOrtHost, type HostedSession } from './ort-host.js';
import type { PlainTensor } from './ort-protocol.js';
import { tinyReluModel } from './tiny-model.js';

// ---- transport -------------------------------------------------------------------------

interface ParentPort {
  postMessage(msg: unknown): void;
  on(ev: 'message', cb: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(msg: WorkerResponse): void {
  if (parentPort) parentPort.postMessage(msg);
  else process.send?.(msg);
}

function onMessage(cb: (msg: WorkerRequest) => void): void {
  if (parentPort) parentPort.on('message', (e) => cb(e.data as WorkerRequest));
  else process.on('message', (m) => cb(m as WorkerRequest));
}

// ---- providers and sessions -----------------------------------------------------------

// Before any WebGPU session: hide CPU-only Vulkan drivers from Dawn (gpu-drivers.ts says why).
const drivers = softwareDriverPolicy(process.env, process.platform);
Object.assign(process.env, drivers.env);
const { host: ortHost } = await startOrtHost();

const require = createRequire(import.meta.url);

function ortBinDir(): string {
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

/** CUDA needs the provider libraries installed next to the binding (not bundled by default). */
function cudaLibsPresent(): boolean {
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(path.join(ortBinDir(), lib));
}

/** GPU providers worth trying on this platform, most specific first. */
function gpuCandidates(): ProviderName[] {
  const backends = ortHost.info.backends;
  const bundled = (n: string): boolean => backends.some((b) => b.name === n && b.bundled);
  const list: ProviderName[] = [];
  if (process.platform === 'win32' && bundled('dml')) list.push('dml');
  if (process.platform === 'darwin' && bundled('coreml')) list.push('coreml');
  if (backends.some((b) => b.name === 'cuda') && cudaLibsPresent()) list.push('cuda');
  if (bundled('webgpu')) list.push('webgpu');
  return list;
}

function sessionOptions(provider: ProviderName, threads: number): InferenceSession.SessionOptions {
  if (provider === 'cpu') {
    return {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Without the arena every activation is a fresh mmap whose pages are faulted in and
      // zeroed on each run: measured 1.9 s user + 1.2 s sys vs 1.4 s + 0.0 s per 1080p run
      // (docs/performance.md). Tiling bounds the largest run, hence the arena's size, and
      // idle sessions are released (releaseIdleSessions) so the memory goes back between uses.
      enableCpuMemArena: true,
      enableMemPattern: true,
    };
  }
  // Severity 3 (errors): ORT warns on every GPU session that shape ops run on the CPU, which is by design.
  return { executionProviders: [provider], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
}

const sessions = new Map<string, Promise<HostedSession>>();
/** Providers that failed in this process, and why (sticky: don't retry a missing GPU per file). */
const failedProviders = new Map<ProviderName, string>();

/** firstLineRaw, plus why a software adapter was not used when that is why no adapter was found. */
function firstLine(e: unknown): string {
  return explainNoAdapter(firstLineRaw(e), drivers.hidden);
}

/** One readable line from an ORT error: drop the C++ source location and assertion text. */
function firstLineRaw(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  let line = (m.split('\n')[0] ?? m).trim();
  line = line.replace(/^\S+\.(?:cc|cpp|h):\d+\s+.*?\s(?:was false\.|failed\.)\s*/, '');
  return line.slice(0, 300);
}

async function getSession(file: string, provider: ProviderName, threads: number): Promise<HostedSession> {
  const key = `${file}|${provider}|${threads}`;
  let s = sessions.get(key);
  if (!s) {
    s = timed('session-create', () => ortHost.create(file, sessionOptions(provider, threads)), { provider, file: path.basename(file) });
    sessions.set(key, s);
    s.catch(() => sessions.delete(key));
  }
  return s;
}

/** Variant files that did not load (or did not fit) on a provider: not retried for every photo. */
const unusableVariants = new Set<string>();

/** A reduced-precision variant's session, or null (then the float32 graph runs). */
async function optionalSession(
  file: string, provider: ProviderName, threads: number, usable: (s: HostedSession) => boolean = () => true,
): Promise<HostedSession | null> {
  const key = `${file}|${provider}`;
  if (unusableVariants.has(key)) return null;
  const s = await getSession(file, provider, threads).catch(() => null);
  if (s && usable(s)) return s;
  unusableVariants.add(key);
  return null;
}

// Sessions hold their memory arena (the peak of the largest run) until released: drop them
// after a quiet period so an idle app gives the memory back. Recreating one costs ~0.1-0.5 s.
const IDLE_RELEASE_MS = Number(process.env['PASTICHE_SESSION_IDLE_MS'] ?? 60_000);
let idleTimer: NodeJS.Timeout | null = null;
let activeJobs = 0;

function jobStarted(): void {
  activeJobs++;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
}

function jobFinished(): void {
  activeJobs--;
  if (activeJobs > 0 || !(IDLE_RELEASE_MS > 0)) return;
  idleTimer = setTimeout(() => void releaseIdleSessions(), IDLE_RELEASE_MS);
  idleTimer.unref();
}

async function releaseIdleSessions(): Promise<void> {
  idleTimer = null;
  if (activeJobs > 0) return;
  const all = [...sessions.values()];
  sessions.clear();
  for (const p of all) {
    const s = await p.catch(() => null);
    await s?.release().catch(() => undefined);
  }
}

function isFloat32Io(s: HostedSession): boolean {
  return s.inputMetadata.every((m) => !m.isTensor || m.type === 'float32');
}

/** The graph takes interleaved 8-bit RGB (uint8 [1,h,w,3]) rather than a float32 planar tensor. */
function takesRgb8(s: HostedSession, input: string): boolean {
  return s.inputMetadata.some((m) => m.name === input && m.isTensor && m.type === 'uint8');
}

/** Serializes inference: two jobs may overlap decode/encode, but one ORT run at a time. */
let inferenceChain: Promise<unknown> = Promise.resolve();
function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  const run = inferenceChain.then(fn, fn);
  inferenceChain = run.catch(() => undefined);
  return run;
}

type SessionKind = 'full' | 'tiles' | 'single';

/** The image tensor for a session, and how its output becomes the caller's type. */
type Feed<T> = (s: HostedSession) => { input: PlainTensor; output: (t: PlainTensor) => T };

function planarFeed(input: Float32Array, h: number, w: number): Feed<Float32Array> {
  return () => ({ input: { type: 'float32', data: input, dims: [1, 3, h, w] }, output: (t) => t.data as Float32Array });
}

class OrtRunner implements ModelRunner {
  provider: ProviderName = 'cpu';
  fallbackReason: string | undefined;
  private chain: ProviderName[];
  readonly tile: ModelRunner['tile'];

  constructor(private readonly model: ModelSpec, private readonly device: DeviceChoice, private readonly threads: number) {
    const gpus = gpuCandidates();
    this.chain = device === 'cpu' ? ['cpu'] : device === 'gpu' ? gpus : [...gpus, 'cpu'];
    if (device === 'gpu' && gpus.length === 0) {
      throw new PasticheError('GPU_UNAVAILABLE', `No GPU execution provider is available in this build on ${process.platform}`);
    }
    this.tile = model.tilesPath ? (input, h, w, stats) => this.run('tiles', planarFeed(input, h, w), stats).then((r) => r.output) : null;
  }

  private note(p: ProviderName, why: string): void {
    failedProviders.set(p, why);
    const reasons = this.chain.filter((x) => failedProviders.has(x)).map((x) => `${x}: ${failedProviders.get(x) ?? ''}`);
    this.fallbackReason = reasons.join('; ');
  }

  /** Session for the current provider, walking down the chain on failure. */
  async session(kind: SessionKind): Promise<HostedSession> {
    for (;;) {
      const p = this.chain.find((x) => x === 'cpu' || !failedProviders.has(x));
      if (!p) {
        const reasons = this.chain.map((x) => `${x}: ${failedProviders.get(x) ?? 'unavailable'}`).join('; ');
        throw new PasticheError('GPU_UNAVAILABLE', `No GPU provider could run model '${this.model.id}' (${reasons})`);
      }
      // Previously failed GPUs are skipped; remember why so the report explains the CPU run.
      if (p === 'cpu' && this.device === 'auto' && !this.fallbackReason && failedProviders.size > 0) {
        this.fallbackReason = this.chain.filter((x) => failedProviders.has(x)).map((x) => `${x}: ${failedProviders.get(x) ?? ''}`).join('; ');
      }
      const m = this.model;
      // 'single' falls back to the full graph (its stats output is then just not read); on a GPU
      // the fp16 full graph is preferred over the fp32 single one.
      const fp32 = kind === 'full' ? m.path : kind === 'single' ? (m.singlePath ?? m.path) : (m.tilesPath as string);
      const fp16 = kind === 'tiles' ? m.fp16TilesPath : m.fp16Path;
      try {
        let s: HostedSession | null = null;
        // fp16 weights only pay off on GPUs (used when their I/O stayed float32); int8 convolutions
        // on the CPU: 0.7x the time at equal quality (docs/performance.md). Either falls back to float32.
        if (p !== 'cpu' && fp16) s = await optionalSession(fp16, p, this.threads, isFloat32Io);
        if (p === 'cpu' && kind === 'single' && m.int8Path) s = await optionalSession(m.int8Path, p, this.threads);
        s ??= await getSession(fp32, p, this.threads);
        this.provider = p;
        return s;
      } catch (e) {
        if (p === 'cpu') throw new PasticheError('MODEL', `Cannot load model '${m.id}' (${path.basename(fp32)}): ${firstLine(e)}`);
        this.note(p, firstLine(e));
      }
    }
  }

  async full(input: Float32Array, h: number, w: number): Promise<{ output: Float32Array; stats: Float32Array | null }> {
    return this.run('full', planarFeed(input, h, w), null);
  }

  async single(rgb: Uint8Array, h: number, w: number): Promise<Uint8Array> {
    const io = this.model.io;
    const r = await this.run('single', (s) => {
      // Graphs with 8-bit RGB I/O (training/deploy/rgb8.py; the int8 one) take the decoded bytes as they
      // are; float32 graphs get planar tensors, converted here.
      if (takesRgb8(s, io.input)) return { input: { type: 'uint8', data: rgb, dims: [1, h, w, 3] }, output: (t) => t.data as Uint8Array };
      const planar = rgbToTensor(rgb, w, h, 0, 0, w, h, io.range);
      return { input: { type: 'float32', data: planar, dims: [1, 3, h, w] }, output: (t) => tensorToRgb(t.data as Float32Array, w, h, w, h, io.range) };
    }, null);
    return r.output;
  }

  private async run<T>(kind: SessionKind, feed: Feed<T>, stats: Float32Array | null): Promise<{ output: T; stats: Float32Array | null }> {
    const io = this.model.io;
    // The input is made before waiting for the run in progress, so a float graph's conversion
    // overlaps it; made again only if the session changed meanwhile (the provider chain moved on).
    let fedTo = await this.session(kind);
    let x = feed(fedTo);
    return exclusive(async () => {
      for (;;) {
        const s = await this.session(kind);
        if (s !== fedTo) {
          fedTo = s;
          x = feed(s);
        }
        const feeds: Record<string, PlainTensor> = { [io.input]: x.input };
        if (io.styleWeights && this.model.weights && s.inputNames.includes(io.styleWeights)) {
          feeds[io.styleWeights] = { type: 'float32', data: Float32Array.from(this.model.weights), dims: [1, this.model.weights.length] };
        }
        if (kind === 'tiles' && stats) feeds[io.stats] = { type: 'float32', data: stats, dims: [2, io.statsSize] };
        try {
          const out = await timed('ort-run', () => s.run(feeds), { kind });
          const o = out[io.output];
          if (!o) throw new PasticheError('MODEL', `Model '${this.model.id}' has no output '${io.output}'`);
          const st = out[io.stats];
          return { output: x.output(o), stats: st ? (st.data as Float32Array) : null };
        } catch (e) {
          if (this.provider === 'cpu' || e instanceof PasticheError) throw e instanceof PasticheError ? e : new PasticheError('MODEL', `Inference failed (model '${this.model.id}'): ${firstLine(e)}`);
          // A GPU that created a session may still fail to run (out of memory, unsupported op).
          this.note(this.provider, `run failed: ${firstLine(e)}`);
        }
      }
    });
  }
}

// ---- doctor ----------------------------------------------------------------------------

async function probe(name: ProviderName): Promise<ProviderProbe> {
  try {
    const s = await ortHost.create(tinyReluModel(), { executionProviders: [name], logSeverityLevel: 3 });
    await s.run({ x: { type: 'float32', data: Float32Array.from([-1, 0, 1, 2]), dims: [4] } });
    await s.release();
    return { name, ok: true };
  } catch (e) {
    return { name, ok: false, error: firstLine(e) };
  }
}

async function doctor(): Promise<DoctorResult> {
  const candidates: ProviderName[] = ['webgpu'];
  if (process.platform === 'win32') candidates.unshift('dml');
  if (process.platform === 'darwin') candidates.unshift('coreml');
  if (cudaLibsPresent()) candidates.unshift('cuda');
  const probes = [await probe('cpu')];
  for (const c of candidates) probes.push(await probe(c));
  return {
    platform: process.platform,
    arch: process.arch,
    node: process.versions.node,
    electron: process.versions['electron'] ?? null,
    onnxruntime: ortHost.info.version,
    sharp: sharp.versions.sharp ?? 'unknown',
    libvips: sharp.versions.vips,
    cpus: os.availableParallelism(),
    backends: ortHost.info.backends,
    probes,
    gpuAdapterFound: probes.some((p) => p.name !== 'cpu' && p.ok),
  };
}

async function warmup(job: WarmupJob): Promise<WarmupResult> {
  const t0 = performance.now();
  const runner = new OrtRunner(job.model, job.device, job.threads);
  const m = job.model.io.multipleOf;
  const side = Math.max(m, 64);
  // The graph photos within the tile budget run (single-pass; int8 on the CPU), not the stats one.
  await runner.single(new Uint8Array(3 * side * side).fill(128), side, side);
  const r: WarmupResult = { provider: runner.provider, ms: Math.round(performance.now() - t0) };
  if (runner.fallbackReason) r.fallbackReason = runner.fallbackReason;
  return r;
}

/** Timed runs for `pastiche bench`: same code paths as real jobs, measured in this process. */
async function bench(job: BenchJob): Promise<BenchResult> {
  const runner = new OrtRunner(job.model, job.device, job.threads);
  const { width, height } = job;
  // A deterministic textured image: flat images can take faster paths in some kernels.
  const rgb = Buffer.allocUnsafe(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      rgb[i] = (x * 255) / width;
      rgb[i + 1] = (y * 255) / height;
      rgb[i + 2] = (x * 7 + y * 13) & 255;
    }
  }
  const settings = { model: job.model, tilePixels: job.tilePixels, statsEdge: job.statsEdge };
  const never: CancelToken = { cancelled: false };
  let tiles = 1;
  const inferMs: number[] = [];
  for (let i = 0; i < job.warmups + job.runs; i++) {
    const t0 = performance.now();
    const r = await stylizePixels(rgb, width, height, runner, settings, never);
    if (i >= job.warmups) inferMs.push(performance.now() - t0);
    tiles = r.tiles;
  }
  const e2eMs: number[] = [];
  if (job.e2e) {
    const sj = {
      ...settings, ...job.e2e, size: 'original' as const, allowUpscale: false, strength: 1, preserveColors: false,
      device: job.device, threads: job.threads, maxPixels: 300_000_000, format: 'jpg' as const, quality: 92, keepMetadata: true, stripGps: false,
    };
    for (let i = 0; i < job.runs; i++) {
      const t0 = performance.now();
      await runStylize(sj, runner, never);
      e2eMs.push(performance.now() - t0);
    }
  }
  const r: BenchResult = {
    provider: runner.provider, tiles, inferMs, e2eMs,
    // maxRSS is in kilobytes on every platform Node supports.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  if (runner.fallbackReason) r.fallbackReason = runner.fallbackReason;
  return r;
}

// ---- message loop ----------------------------------------------------------------------

const tokens = new Map<number, { cancelled: boolean }>();

async function handle(msg: Extract<WorkerRequest, { type: 'job' }>): Promise<void> {
  const token: CancelToken & { cancelled: boolean } = { cancelled: false };
  tokens.set(msg.id, token);
  jobStarted();
  send({ type: 'started', id: msg.id });
  try {
    let result;
    switch (msg.kind) {
      case 'stylize': {
        const j = msg.job;
        const progress = (stage: 'decode' | 'infer' | 'encode', fraction: number): void => send({ type: 'progress', id: msg.id, stage, fraction });
        result = await runStylize(j, new OrtRunner(j.model, j.device, j.threads), token, progress);
        break;
      }
      case 'preview':
        result = await runPreview(msg.job, new OrtRunner(msg.job.model, msg.job.device, msg.job.threads), token);
        break;
      case 'doctor':
        result = await doctor();
        break;
      case 'warmup':
        result = await warmup(msg.job);
        break;
      case 'bench':
        result = await bench(msg.job);
        break;
    }
    send({ type: 'result', id: msg.id, result });
  } catch (e) {
    send({ type: 'error', id: msg.id, error: serializeError(e) });
  } finally {
    tokens.delete(msg.id);
    jobFinished();
    // A cancelled job is usually a large photo the user gave up on: return its arena now rather
    // than after the idle period.
    if (token.cancelled && activeJobs === 0) void releaseIdleSessions();
  }
}

onMessage((msg) => {
  switch (msg.type) {
    case 'job':
      void handle(msg);
      break;
    case 'cancel': {
      const t = tokens.get(msg.id);
      if (t) t.cancelled = true;
      break;
    }
    case 'shutdown':
      process.exit(0);
  }
});

// An orphaned worker (parent gone) must not linger holding GPU/CPU memory.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
