// A stand-in for the engine facade: same EnginePort surface, no onnxruntime.
import path from 'node:path';
import sharp from 'sharp';
import { PasticheError } from '../../../electron/common/errors.js';
import type { EnginePort } from '../../../electron/services/engine-port.js';
import type { BatchProgress, BatchReport, StyleInfo } from '../../../electron/common/types.js';

const style = (id: string, model: string, index: number): StyleInfo => ({
  id,
  index,
  model,
  title: id.toUpperCase(),
  artist: 'Test',
  year: '1900',
  publicDomain: 'yes',
  painting: 'test',
  source: 'builtin',
});

export class FakeEngine implements EnginePort {
  previews: { input: string; size: number; style: unknown; exportSize?: unknown; brush?: unknown; brushChosen?: unknown; crop?: unknown }[] = [];
  batches: { inputs: string[]; outDir: string; brushChosen: boolean | undefined; nameTemplate?: string | undefined; style?: unknown }[] = [];
  batchDelayMs = 5;
  /** Delay of each preview (device-switch tests: a preview in flight while the engine is replaced). */
  previewDelayMs = 0;
  closed = false;
  warmups = 0;
  readonly device: 'auto' | 'cpu' | 'gpu';

  constructor(device: 'auto' | 'cpu' | 'gpu' = 'auto') {
    this.device = device;
  }

  styles(): StyleInfo[] {
    return [style('ember', 'pack', 0), style('tide', 'pack', 1), style('solo', 'single', 0)];
  }
  models() {
    return [
      { id: 'pack', sha256: 'abcdef0123456789' },
      { id: 'single', sha256: '0123456789abcdef' },
    ];
  }
  modelErrors(): unknown[] {
    return [{ model: 'broken', message: 'checksum mismatch' }];
  }
  async preview(input: string, opts: { size: number; style: unknown; exportSize?: unknown; brush?: unknown; brushChosen?: unknown; crop?: unknown }, signal?: AbortSignal) {
    this.previews.push({ input, size: opts.size, style: opts.style, exportSize: opts.exportSize, brush: opts.brush, brushChosen: opts.brushChosen, crop: opts.crop });
    // The worker's decode error does not name the file (the handler does).
    if (path.basename(input) === 'broken.jpg') throw new PasticheError('DECODE', 'JPG file is truncated or damaged (VipsJpeg: Premature end of input file)');
    if (this.closed) throw new Error('engine closed');
    if (this.previewDelayMs > 0) await new Promise((r) => setTimeout(r, this.previewDelayMs));
    if (signal?.aborted) throw Object.assign(new Error('Cancelled'), { name: 'AbortError' });
    if (this.closed) throw new Error('engine closed while previewing');
    const data = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#884422' } })
      .jpeg()
      .toBuffer();
    return {
      data,
      mime: 'image/jpeg' as const,
      width: 8,
      height: 6,
      ms: 12,
      provider: 'cpu' as const,
      warnings: [],
      sourceWidth: 64,
      sourceHeight: 48,
      exportPlan: { mode: 'paint' as const, width: 64, height: 48, brushWidth: 64, brushHeight: 48, detailWidth: 64, detailHeight: 48 },
      timings: {
        passes: [{ kind: 'paint' as const, width: 64, height: 48, tiles: 1, ms: 10 }],
        decodeMs: 1,
        reduceMs: 0,
        reducePixels: 64 * 48,
        decodePixels: 64 * 48,
        outputMs: 1,
        outputPixels: 48,
        blend: false,
      },
      limits: { tilePixels: 3_000_000, statsEdge: 1024 },
    };
  }
  regions: { input: string; rect: unknown; brushChosen: unknown }[] = [];
  /** Delay of each region (a newer one on the same ticket cancels the one in flight). */
  regionDelayMs = 0;
  async region(input: string, opts: { rect: { x: number; y: number; width: number; height: number }; brushChosen: boolean }, signal?: AbortSignal) {
    this.regions.push({ input, rect: opts.rect, brushChosen: opts.brushChosen });
    if (this.regionDelayMs > 0) await new Promise((r) => setTimeout(r, this.regionDelayMs));
    if (signal?.aborted) throw new PasticheError('CANCELLED', 'Cancelled');
    const data = await sharp({ create: { width: opts.rect.width, height: opts.rect.height, channels: 3, background: '#224488' } })
      .png()
      .toBuffer();
    return { data, mime: 'image/png' as const, rect: opts.rect, exportWidth: 64, exportHeight: 48, ms: 3, cached: this.regions.length > 1, provider: 'cpu' as const, warnings: [] };
  }
  async runBatch(
    inputs: string[],
    outDir: string,
    opts: { brushChosen?: boolean; nameTemplate?: string; style?: unknown },
    onProgress: (p: BatchProgress) => void,
    signal?: AbortSignal,
  ): Promise<BatchReport> {
    this.batches.push({ inputs, outDir, brushChosen: opts.brushChosen, nameTemplate: opts.nameTemplate, style: opts.style });
    const files: BatchReport['files'] = [];
    for (const [i, input] of inputs.entries()) {
      if (signal?.aborted) return { files, device: 'cpu', cancelled: true };
      onProgress({ done: i, total: inputs.length, current: input, etaMs: null });
      await new Promise((r) => setTimeout(r, this.batchDelayMs));
      files.push({ input, output: `${outDir}/${i}.jpg`, status: 'ok', ms: 1, device: 'cpu' });
    }
    onProgress({ done: inputs.length, total: inputs.length, current: null, etaMs: 0 });
    return { files, device: 'cpu', cancelled: false };
  }
  /** A file named painted*.jpg holds a recipe of a blend; anything else holds none. */
  async recipeFrom(file: string) {
    if (!/painted[^/]*\.jpg$/.test(file)) throw Object.assign(new Error(`${file} holds no Pastiche recipe`), { code: 'NOT_FOUND' });
    const options = { style: { ember: 0.7, tide: 0.3 }, strength: 0.8, brush: 512, preserveColors: true, size: 'original' as const };
    const recipe = {
      ...options,
      styleTitle: 'EMBER + TIDE',
      styleHash: '0'.repeat(64),
      packId: 'pack',
      packFingerprint: null,
      appVersion: '0.0.0',
      source: 'a.jpg',
      sourceBytes: 1,
      settingsHash: '1'.repeat(64),
    };
    return { recipe, options };
  }
  doctor() {
    return {
      platform: 'linux',
      arch: 'x64',
      cpus: 2,
      onnxruntime: '1.30.0',
      models: [{ id: 'pack', ok: true, styles: ['ember', 'tide'] }],
      probes: [{ name: 'webgpu', ok: false, error: 'no adapter' }],
      device: null,
    };
  }
  deviceReport() {
    if (this.device === 'cpu') return { requested: 'cpu' as const, provider: 'cpu' as const };
    return { requested: this.device, provider: 'cpu' as const, fallbackReason: 'No supported adapters' };
  }
  async warmup(): Promise<void> {
    this.warmups++;
  }
  close(): void {
    this.closed = true;
  }
}
