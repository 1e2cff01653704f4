// The worker's jobs besides stylize and preview: the doctor's provider probes, warming a model up,
// and the timed runs of `pastiche bench`.
import os from 'node:os';
import sharp from 'sharp';
import { DEFAULT_MAX_PIXELS, DEFAULT_STYLIZE_OPTIONS } from '../common/params.js';
import type { ProviderName } from '../common/types.js';
import { brushPlan } from '../imaging/brush.js';
import { paintWithBrush, runStylize, type CancelToken } from '../imaging/pipeline.js';
import type { BenchJob, BenchResult, DoctorResult, ProviderProbe, WarmupJob, WarmupResult } from '../common/worker-protocol.js';
import type { OrtHost } from './ort-host.js';
import { OrtRunner, type RunnerContext } from './ort-runner.js';
import { cudaLibsPresent } from './providers.js';
import { tinyReluModel } from './tiny-model.js';

async function probe(host: OrtHost, name: ProviderName, errorLine: (e: unknown) => string): Promise<ProviderProbe> {
  try {
    const s = await host.create(tinyReluModel(), { executionProviders: [name], logSeverityLevel: 3 });
    await s.run({ x: { type: 'float32', data: Float32Array.from([-1, 0, 1, 2]), dims: [4] } });
    await s.release();
    return { name, ok: true };
  } catch (e) {
    return { name, ok: false, error: errorLine(e) };
  }
}

export async function doctor(host: OrtHost, errorLine: (e: unknown) => string): Promise<DoctorResult> {
  const candidates: ProviderName[] = ['webgpu'];
  if (process.platform === 'win32') candidates.unshift('dml');
  if (process.platform === 'darwin') candidates.unshift('coreml');
  if (cudaLibsPresent()) candidates.unshift('cuda');
  const probes = [await probe(host, 'cpu', errorLine)];
  for (const c of candidates) probes.push(await probe(host, c, errorLine));
  return {
    platform: process.platform,
    arch: process.arch,
    node: process.versions.node,
    electron: process.versions['electron'] ?? null,
    onnxruntime: host.info.version,
    sharp: sharp.versions.sharp ?? 'unknown',
    libvips: sharp.versions.vips,
    cpus: os.availableParallelism(),
    backends: host.info.backends,
    probes,
    gpuAdapterFound: probes.some((p) => p.name !== 'cpu' && p.ok),
  };
}

export async function warmup(ctx: RunnerContext, job: WarmupJob): Promise<WarmupResult> {
  const t0 = performance.now();
  const runner = new OrtRunner(ctx, job.model, job.device, job.threads);
  const m = job.model.io.multipleOf;
  const side = Math.max(m, 64);
  // The graph photos within the tile budget run (single-pass; int8 on the CPU), not the stats one.
  await runner.single(new Uint8Array(3 * side * side).fill(128), side, side);
  const r: WarmupResult = { provider: runner.provider, ms: Math.round(performance.now() - t0) };
  if (runner.fallbackReason) r.fallbackReason = runner.fallbackReason;
  return r;
}

/** Timed runs for `pastiche bench`: same code paths as real jobs, measured in this process. */
export async function bench(ctx: RunnerContext, job: BenchJob): Promise<BenchResult> {
  const runner = new OrtRunner(ctx, job.model, job.device, job.threads);
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
    // The path a file at this size and brush takes: one pass (native) or the brush passes and blend.
    const r = await paintWithBrush(rgb, width, height, brushPlan(width, height, job.brush), width, height, runner, settings, never);
    if (i >= job.warmups) inferMs.push(performance.now() - t0);
    tiles = r.tiles;
  }
  const e2eMs: number[] = [];
  if (job.e2e) {
    const sj = {
      ...DEFAULT_STYLIZE_OPTIONS,
      ...settings,
      ...job.e2e,
      size: 'original' as const,
      brush: job.brush,
      allowUpscale: false,
      device: job.device,
      threads: job.threads,
      maxPixels: DEFAULT_MAX_PIXELS,
    };
    for (let i = 0; i < job.runs; i++) {
      const t0 = performance.now();
      await runStylize(sj, runner, never);
      e2eMs.push(performance.now() - t0);
    }
  }
  const r: BenchResult = {
    provider: runner.provider,
    tiles,
    inferMs,
    e2eMs,
    // maxRSS is in kilobytes on every platform Node supports.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  if (runner.fallbackReason) r.fallbackReason = runner.fallbackReason;
  return r;
}
