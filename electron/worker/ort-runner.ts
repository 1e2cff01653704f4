// The ModelRunner the pipeline infers with: sessions of one model on the best provider the device
// choice allows, walking down the provider chain (GPUs, then the CPU under 'auto') on failure.
import path from 'node:path';
import { PasticheError } from '../common/errors.js';
import type { DeviceChoice, ProviderName } from '../common/types.js';
import type { ModelRunner } from '../imaging/pipeline.js';
import { rgbToTensor, tensorToRgb } from '../imaging/pixels.js';
import { timed } from '../imaging/trace.js';
import type { ModelSpec } from '../common/worker-protocol.js';
import type { HostedSession } from './ort-host.js';
import type { PlainTensor } from './ort-protocol.js';
import type { SessionCache } from './session-cache.js';

/** What the runners of one process share. */
export interface RunnerContext {
  readonly sessions: SessionCache;
  /** GPU providers worth trying here, most specific first (providers.ts gpuCandidates). */
  readonly gpus: readonly ProviderName[];
  /** Providers that failed in this process, and why (sticky: a missing GPU is not retried per file). */
  readonly failed: Map<ProviderName, string>;
  /** One readable line from an onnxruntime error. */
  errorLine(e: unknown): string;
}

type SessionKind = 'full' | 'tiles' | 'single';

/** The image tensor for a session, and how its output becomes the caller's type. */
type Feed<T> = (s: HostedSession) => { input: PlainTensor; output: (t: PlainTensor) => T };

function planarFeed(input: Float32Array, h: number, w: number): Feed<Float32Array> {
  return () => ({ input: { type: 'float32', data: input, dims: [1, 3, h, w] }, output: (t) => t.data as Float32Array });
}

function isFloat32Io(s: HostedSession): boolean {
  return s.inputMetadata.every((m) => !m.isTensor || m.type === 'float32');
}

/** The graph takes interleaved 8-bit RGB (uint8 [1,h,w,3]) rather than a float32 planar tensor. */
function takesRgb8(s: HostedSession, input: string): boolean {
  return s.inputMetadata.some((m) => m.name === input && m.isTensor && m.type === 'uint8');
}

export class OrtRunner implements ModelRunner {
  provider: ProviderName = 'cpu';
  fallbackReason: string | undefined;
  private chain: readonly ProviderName[];
  readonly tile: ModelRunner['tile'];

  constructor(
    private readonly ctx: RunnerContext,
    private readonly model: ModelSpec,
    private readonly device: DeviceChoice,
    private readonly threads: number,
  ) {
    const gpus = ctx.gpus;
    this.chain = device === 'cpu' ? ['cpu'] : device === 'gpu' ? gpus : [...gpus, 'cpu'];
    if (device === 'gpu' && gpus.length === 0) {
      throw new PasticheError('GPU_UNAVAILABLE', `No GPU execution provider is available in this build on ${process.platform}`);
    }
    this.tile = model.tilesPath ? (input, h, w, stats) => this.run('tiles', planarFeed(input, h, w), stats).then((r) => r.output) : null;
  }

  private failedReasons(): string {
    const failed = this.ctx.failed;
    return this.chain
      .filter((x) => failed.has(x))
      .map((x) => `${x}: ${failed.get(x) ?? ''}`)
      .join('; ');
  }

  private note(p: ProviderName, why: string): void {
    this.ctx.failed.set(p, why);
    this.fallbackReason = this.failedReasons();
  }

  /** Session for the current provider, walking down the chain on failure. */
  async session(kind: SessionKind): Promise<HostedSession> {
    const { failed, sessions } = this.ctx;
    for (;;) {
      const p = this.chain.find((x) => x === 'cpu' || !failed.has(x));
      if (!p) {
        const reasons = this.chain.map((x) => `${x}: ${failed.get(x) ?? 'unavailable'}`).join('; ');
        throw new PasticheError('GPU_UNAVAILABLE', `No GPU provider could run model '${this.model.id}' (${reasons})`);
      }
      // Previously failed GPUs are skipped; remember why so the report explains the CPU run.
      if (p === 'cpu' && this.device === 'auto' && !this.fallbackReason && failed.size > 0) this.fallbackReason = this.failedReasons();
      const m = this.model;
      // 'single' falls back to the full graph (its stats output is then just not read); on a GPU
      // the fp16 full graph is preferred over the fp32 single one.
      const fp32 = kind === 'full' ? m.path : kind === 'single' ? (m.singlePath ?? m.path) : (m.tilesPath as string);
      const fp16 = kind === 'tiles' ? m.fp16TilesPath : m.fp16Path;
      try {
        let s: HostedSession | null = null;
        // fp16 weights only pay off on GPUs (used when their I/O stayed float32); int8 convolutions
        // on the CPU: 0.7x the time at equal quality (docs/performance.md). Either falls back to float32.
        if (p !== 'cpu' && fp16) s = await sessions.optional(fp16, p, this.threads, isFloat32Io);
        if (p === 'cpu' && kind === 'single' && m.int8Path) s = await sessions.optional(m.int8Path, p, this.threads);
        s ??= await sessions.get(fp32, p, this.threads);
        this.provider = p;
        return s;
      } catch (e) {
        if (p === 'cpu') throw new PasticheError('MODEL', `Cannot load model '${m.id}' (${path.basename(fp32)}): ${this.ctx.errorLine(e)}`);
        this.note(p, this.ctx.errorLine(e));
      }
    }
  }

  async full(input: Float32Array, h: number, w: number): Promise<{ output: Float32Array; stats: Float32Array | null }> {
    return this.run('full', planarFeed(input, h, w), null);
  }

  async single(rgb: Uint8Array, h: number, w: number): Promise<Uint8Array> {
    const io = this.model.io;
    const r = await this.run(
      'single',
      (s) => {
        // Graphs with 8-bit RGB I/O (training/deploy/rgb8.py; the int8 one) take the decoded bytes as they
        // are; float32 graphs get planar tensors, converted here.
        if (takesRgb8(s, io.input)) return { input: { type: 'uint8', data: rgb, dims: [1, h, w, 3] }, output: (t) => t.data as Uint8Array };
        const planar = rgbToTensor(rgb, w, h, 0, 0, w, h, io.range);
        return { input: { type: 'float32', data: planar, dims: [1, 3, h, w] }, output: (t) => tensorToRgb(t.data as Float32Array, w, h, w, h, io.range) };
      },
      null,
    );
    return r.output;
  }

  private async run<T>(kind: SessionKind, feed: Feed<T>, stats: Float32Array | null): Promise<{ output: T; stats: Float32Array | null }> {
    const io = this.model.io;
    // The input is made before waiting for the run in progress, so a float graph's conversion
    // overlaps it; made again only if the session changed meanwhile (the provider chain moved on).
    let fedTo = await this.session(kind);
    let x = feed(fedTo);
    return this.ctx.sessions.exclusive(async () => {
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
        if (io.styleVector && s.inputNames.includes(io.styleVector)) {
          const v = this.model.vector;
          if (!v || v.length !== io.styleVectorSize) throw new PasticheError('MODEL', `Model '${this.model.id}' needs a style vector of ${io.styleVectorSize ?? '?'} numbers`);
          feeds[io.styleVector] = { type: 'float32', data: Float32Array.from(v), dims: [1, v.length] };
        }
        if (kind === 'tiles' && stats) feeds[io.stats] = { type: 'float32', data: stats, dims: [2, io.statsSize] };
        try {
          const out = await timed('ort-run', () => s.run(feeds), { kind });
          const o = out[io.output];
          if (!o) throw new PasticheError('MODEL', `Model '${this.model.id}' has no output '${io.output}'`);
          const st = out[io.stats];
          return { output: x.output(o), stats: st ? (st.data as Float32Array) : null };
        } catch (e) {
          if (this.provider === 'cpu' || e instanceof PasticheError) {
            throw e instanceof PasticheError ? e : new PasticheError('MODEL', `Inference failed (model '${this.model.id}'): ${this.ctx.errorLine(e)}`);
          }
          // A GPU that created a session may still fail to run (out of memory, unsupported op).
          this.note(this.provider, `run failed: ${this.ctx.errorLine(e)}`);
        }
      }
    });
  }
}
