// Learning a style on the engine's runtime: training/styles/learn.py's algorithm with the learning
// graphs doing the loss and its gradient (docs/styles.md). Crops from the training photos, the
// painting's Grams computed once, the nearest built-in style as the start, Adam over the vector with
// the manifest's schedule, the scale half clamped. Every run goes through the session cache's
// queue, so a preview asked for meanwhile runs between two steps.
import { Adam, clampScale, runProgress, scheduledLr, softmax } from '../common/adam.js';
import { PasticheError } from '../common/errors.js';
import type { DeviceChoice, ProviderName } from '../common/types.js';
import type { LearnEvent, LearnJob, LearnResult } from '../common/worker-protocol.js';
import { ContentCrops, decodeRgb, Rng } from '../imaging/learn-crops.js';
import { runPreview, type CancelToken } from '../imaging/pipeline.js';
import { rgbToTensor } from '../imaging/pixels.js';
import { materializeGraphs } from './learn-graph.js';
import type { HostedSession } from './ort-host.js';
import type { PlainTensor } from './ort-protocol.js';
import { OrtRunner, type RunnerContext } from './ort-runner.js';

type Feeds = Record<string, PlainTensor>;

/** One graph's session on the best provider the device choice allows; a GPU that fails moves it to the CPU under 'auto'. */
export class GraphRunner {
  provider: ProviderName = 'cpu';
  #session: HostedSession | null = null;

  constructor(
    private readonly ctx: RunnerContext,
    private readonly file: string,
    private readonly device: DeviceChoice,
    private readonly threads: number,
  ) {}

  private chain(): ProviderName[] {
    const { gpus, failed } = this.ctx;
    if (this.device === 'cpu') return ['cpu'];
    const g = gpus.filter((p) => !failed.has(p));
    if (this.device === 'gpu') {
      if (g.length === 0) throw new PasticheError('GPU_UNAVAILABLE', `No GPU provider could run the learning graph (${[...failed].map(([p, w]) => `${p}: ${w}`).join('; ') || 'none in this build'})`);
      return g;
    }
    return [...g, 'cpu'];
  }

  async session(): Promise<HostedSession> {
    if (this.#session) return this.#session;
    for (const p of this.chain()) {
      try {
        this.#session = await this.ctx.sessions.get(this.file, p, this.threads);
        this.provider = p;
        return this.#session;
      } catch (e) {
        if (p === 'cpu') throw new PasticheError('MODEL', `Cannot load the learning graph ${this.file}: ${this.ctx.errorLine(e)}`);
        this.ctx.failed.set(p, this.ctx.errorLine(e));
      }
    }
    return this.session();
  }

  /** One run, queued behind every inference started before it. */
  async run(feeds: Feeds): Promise<Feeds> {
    for (;;) {
      const s = await this.session();
      try {
        return await this.ctx.sessions.exclusive(() => s.run(feeds));
      } catch (e) {
        if (this.provider === 'cpu' || this.device !== 'auto') throw new PasticheError('MODEL', `The learning graph failed on ${this.provider}: ${this.ctx.errorLine(e)}`);
        this.ctx.failed.set(this.provider, `run failed: ${this.ctx.errorLine(e)}`);
        this.#session = null;
      }
    }
  }
}

const f32 = (data: Float32Array, dims: number[]): PlainTensor => ({ type: 'float32', data, dims });
const mean = (t: PlainTensor | undefined): number => {
  const d = (t?.data ?? new Float32Array(1)) as Float32Array;
  return d.reduce((a, b) => a + b, 0) / Math.max(1, d.length);
};

export interface StepOutput {
  loss: number;
  content: number;
  style: number;
  tv: number;
  grad: Float32Array;
}

/** The learning graph's loss and gradient for a batch of crops under a vector. */
export async function learnStep(g: GraphRunner, grams: Feeds, weights: Float32Array, crops: Float32Array, side: number, vector: Float32Array): Promise<StepOutput> {
  const n = crops.length / (3 * side * side);
  const out = await g.run({ ...grams, input: f32(crops, [n, 3, side, side]), style_vector: f32(Float32Array.from(vector), [1, vector.length]), loss_weights: f32(weights, [3]) });
  const grad = out['grad']?.data;
  if (!(grad instanceof Float32Array) || grad.length !== vector.length) throw new PasticheError('MODEL', `Expected a gradient of ${vector.length} numbers from the learning graph`);
  return { loss: mean(out['loss']), content: mean(out['content']), style: mean(out['style']), tv: mean(out['tv']), grad };
}

/** The painting's Gram matrices (the graph's gram_* inputs), computed once. */
export async function paintingGrams(ctx: RunnerContext, file: string, job: Pick<LearnJob, 'painting' | 'settings' | 'device' | 'threads'>): Promise<Feeds> {
  let img;
  try {
    img = await decodeRgb(job.painting, job.settings.styleSize);
  } catch (e) {
    throw new PasticheError('INVALID_PARAM', `Expected a painting image (JPEG, PNG, WebP, TIFF, AVIF) but could not read ${job.painting}: ${(e as Error).message}`);
  }
  if (Math.min(img.width, img.height) < 64) throw new PasticheError('INVALID_PARAM', `Expected a painting of at least 64x64 pixels but received ${img.width}x${img.height}`);
  const runner = new GraphRunner(ctx, file, job.device, job.threads);
  const out = await runner.run({ painting: f32(rgbToTensor(img.data, img.width, img.height, 0, 0, img.width, img.height), [1, 3, img.height, img.width]) });
  const grams: Feeds = {};
  for (const name of job.settings.grams.io.outputs) {
    const t = out[name];
    if (!t) throw new PasticheError('MODEL', `The grams graph has no output '${name}'`);
    grams[name] = t;
  }
  return grams;
}

export async function learnStyle(ctx: RunnerContext, job: LearnJob, token: CancelToken, emit: (e: LearnEvent) => void): Promise<LearnResult> {
  const tStart = performance.now();
  const s = job.settings;
  const stop = (): void => {
    if (token.cancelled) throw new PasticheError('CANCELLED', 'Cancelled');
  };
  // Both graphs at once: the shards they share are read, checked and stored once.
  const [learnFile, gramsFile] = await materializeGraphs([job.graph, job.grams], job.vggDir, job.cacheDir, s.vgg);
  stop();
  const crops = await ContentCrops.load(job.contentDir, s.crop);
  stop();
  const grams = await paintingGrams(ctx, gramsFile, job);
  const g = new GraphRunner(ctx, learnFile, job.device, job.threads);
  const weights = Float32Array.from(s.lossWeights);
  const recipe = { crop: s.crop, minScale: s.crops.minScale, flip: s.crops.flip };
  const rng = new Rng(job.seed);
  stop();
  // The nearest built-in: lowest style loss of its stylization of fixed probe crops (manifest `probes`).
  const probes = await crops.centreCrops(s.probeCrops, s.probeSize);
  const candidates: Record<string, number> = {};
  for (const b of job.builtins) {
    stop();
    candidates[b.id] = (await learnStep(g, grams, weights, probes, s.probeSize, Float32Array.from(b.vector))).style;
  }
  const ranked = Object.entries(candidates).sort((a, b) => a[1] - b[1]);
  const nearest = ranked[0]?.[0];
  const start = job.builtins.find((b) => b.id === nearest);
  if (!start) throw new PasticheError('MODEL', 'Expected built-in styles to start from but received none');
  emit({ kind: 'init', style: start.id, candidates: Object.fromEntries(ranked), setupS: (performance.now() - tStart) / 1000, provider: g.provider });
  let vec: Float32Array = Float32Array.from(start.vector);
  let init = start.id;
  let blendSeconds = 0;
  if (job.blendS > 0) {
    const tb = performance.now();
    vec = await fitBlend(job, g, grams, weights, crops, rng, start.id, stop);
    init = 'blend';
    blendSeconds = (performance.now() - tb) / 1000;
  }
  const preview = async (step: number): Promise<void> => {
    if (!job.preview) return;
    const pj = { ...job.preview.job, model: { ...job.preview.job.model, vector: Array.from(vec) } };
    try {
      const r = await runPreview(pj, new OrtRunner(ctx, pj.model, pj.device, pj.threads), token);
      emit({ kind: 'preview', step, data: r.data, mime: r.mime });
    } catch (e) {
      if (token.cancelled) throw new PasticheError('CANCELLED', 'Cancelled');
      process.stderr.write(`pastiche: preview while learning failed: ${(e as Error).message}\n`);
    }
  };
  await preview(0);
  const opt = new Adam(vec, { lr: s.lr, ...s.adam });
  // The blend's time counts against the budget: the run takes the minutes asked for either way.
  const budget = job.minutes > 0 ? Math.max(1, job.minutes * 60 - blendSeconds) : 0;
  const t0 = performance.now();
  let lastLog = t0;
  let lastPreview = t0;
  let step = 0;
  let ema: number | null = null;
  let last: StepOutput | null = null;
  for (;;) {
    stop();
    let elapsed = (performance.now() - t0) / 1000;
    if ((job.steps > 0 && step >= job.steps) || (budget > 0 && elapsed >= budget)) break;
    const lr = scheduledLr(s.lr, s.lrDecay.lastFraction, runProgress(step, job.steps, elapsed, budget));
    const x = await crops.batch(rng, s.batch, recipe);
    last = await learnStep(g, grams, weights, x, s.crop, vec);
    opt.step(last.grad, lr);
    clampScale(vec, s.scaleMin);
    step++;
    ema = ema === null ? last.loss : 0.9 * ema + 0.1 * last.loss;
    const now = performance.now();
    elapsed = (now - t0) / 1000;
    const perStep = elapsed / step;
    const byTime = step + Math.floor(Math.max(0, budget - elapsed) / perStep);
    const of = job.steps > 0 && budget > 0 ? Math.min(job.steps, byTime) : job.steps > 0 ? job.steps : byTime;
    if (now - lastLog >= 2000 || step === 1 || step === of) {
      const progress = { step, of, elapsedS: (now - tStart) / 1000, etaS: (of - step) * perStep, loss: ema, content: last.content, style: last.style };
      emit({ kind: 'progress', progress });
      lastLog = now;
    }
    if (job.preview && now - lastPreview >= job.preview.everyS * 1000) {
      await preview(step);
      lastPreview = performance.now();
    }
  }
  stop();
  const trainSeconds = (performance.now() - t0) / 1000;
  await preview(step);
  const r: LearnResult = {
    vector: Array.from(vec),
    init,
    steps: step,
    trainSeconds,
    wallSeconds: (performance.now() - tStart) / 1000,
    photos: crops.length,
    provider: g.provider,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    loss: { content: last?.content ?? NaN, style: last?.style ?? NaN, tv: last?.tv ?? NaN },
  };
  const why = [...ctx.failed].map(([p, w]) => `${p}: ${w}`).join('; ');
  if (why && g.provider === 'cpu' && job.device !== 'cpu') r.fallbackReason = why;
  return r;
}

/**
 * Softmax weights of a blend of the built-in vectors, fitted for job.blendS seconds before the vector
 * itself: d loss / d logit_i = w_i (g . v_i - g . v), the chain rule through the blend on the graph's grad.
 */
async function fitBlend(job: LearnJob, g: GraphRunner, grams: Feeds, weights: Float32Array, crops: ContentCrops, rng: Rng, nearest: string, stop: () => void): Promise<Float32Array> {
  const s = job.settings;
  const vs = job.builtins.map((b) => Float32Array.from(b.vector));
  const logits = new Float32Array(vs.length);
  logits[job.builtins.findIndex((b) => b.id === nearest)] = 2;
  const opt = new Adam(logits, { lr: 0.1, ...s.adam });
  const n = vs[0]?.length ?? 0;
  const blend = (): Float32Array => {
    const w = softmax(logits);
    const v = new Float64Array(n);
    vs.forEach((x, i) => x.forEach((val, k) => (v[k] = (v[k] as number) + (w[i] as number) * val)));
    return Float32Array.from(v);
  };
  const t0 = performance.now();
  while (performance.now() - t0 < job.blendS * 1000) {
    stop();
    const v = blend();
    const x = await crops.batch(rng, s.batch, { crop: s.crop, minScale: s.crops.minScale, flip: s.crops.flip });
    const { grad } = await learnStep(g, grams, weights, x, s.crop, v);
    const w = softmax(logits);
    const dot = (a: Float32Array): number => a.reduce((acc, val, k) => acc + val * (grad[k] as number), 0);
    const gv = dot(v);
    opt.step(Float32Array.from(vs, (x, i) => (w[i] as number) * (dot(x) - gv)));
  }
  const v = blend();
  clampScale(v, s.scaleMin);
  return v;
}
