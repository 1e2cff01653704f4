// The per-file pipeline run inside the inference worker: decode -> infer (whole or tiled) ->
// colour preservation / strength -> encode -> atomic write. Inference is abstracted behind
// ModelRunner so this file never touches onnxruntime (only the worker entry does).
import { PasticheError } from '../common/errors.js';
import { PREVIEW_ENCODING } from '../common/params.js';
import type { Brush, ProviderName } from '../common/types.js';
import { addResidual, brushPlan, brushResidual, fit as fitBrush, type BrushPlan } from './brush.js';
import {
  decodeImage,
  encodeImage,
  flattenOnWhite,
  interleaveAlpha,
  probeImage,
  resizeAlpha,
  resizeRgb,
  writeAtomic,
  type DecodedImage,
} from './image-io.js';
import { TileAccumulator, applyStrength, cropRgb, padRgb, preserveColors, rgbToTensor, tensorToRgb } from './pixels.js';
import { axisWeights, fitLongEdge, planTiles, roundUp, tileSizeForBudget } from './tiling.js';
import { span, timed, trace } from './trace.js';
import type { PassPlan, PassTiming, PreviewJob, PreviewResult, RenderSettings, RenderTimings, StylizeJob, StylizeResult } from '../engine/worker-protocol.js';

export interface ModelRunner {
  /** Provider that ran the most recent call (may change after a GPU failure). */
  readonly provider: ProviderName;
  readonly fallbackReason: string | undefined;
  /** Full model on a planar [1,3,h,w] tensor: output of the same size plus stats (if exported). */
  full(input: Float32Array, h: number, w: number): Promise<{ output: Float32Array; stats: Float32Array | null }>;
  /** 'tiles' variant taking whole-image stats; null when the model has none. */
  tile: ((input: Float32Array, h: number, w: number, stats: Float32Array) => Promise<Float32Array>) | null;
  /**
   * A photo run in one pass: interleaved 8-bit RGB of a padded (w, h) in, the same out. May use a
   * faster graph: no stats output, int8, 8-bit I/O (then no float tensors exist at all).
   */
  single?(rgb: Uint8Array, h: number, w: number): Promise<Uint8Array>;
}

export interface CancelToken {
  readonly cancelled: boolean;
}

export type ProgressFn = (stage: 'decode' | 'infer' | 'encode', fraction: number) => void;

function checkCancelled(c: CancelToken): void {
  if (c.cancelled) throw new PasticheError('CANCELLED', 'Cancelled');
}

export interface StylizedPixels {
  rgb: Buffer;
  tiles: number;
  warnings: string[];
}

/** Model inference on an interleaved RGB image, tiling above settings.tilePixels. */
export async function stylizePixels(
  rgb: Buffer, width: number, height: number, runner: ModelRunner,
  s: Pick<RenderSettings, 'model' | 'tilePixels' | 'tileSize' | 'statsEdge'>,
  cancel: CancelToken, progress?: ProgressFn,
): Promise<StylizedPixels> {
  const io = s.model.io;
  const m = io.multipleOf;
  const warnings: string[] = [];
  const tiled = width * height > s.tilePixels;
  if (!tiled || !runner.tile) {
    if (tiled) warnings.push(`Model '${s.model.id}' has no tiles variant; the ${width}x${height} image was processed in one pass (high memory use)`);
    const pw = roundUp(width, m);
    const ph = roundUp(height, m);
    const single = runner.single?.bind(runner);
    if (single) {
      const out = await timed('infer', () => single(padRgb(rgb, width, height, pw, ph), ph, pw), { w: pw, h: ph });
      progress?.('infer', 1);
      return { rgb: cropRgb(out, pw, ph, width, height), tiles: 1, warnings };
    }
    const tt = span('to-tensor');
    const input = rgbToTensor(rgb, width, height, 0, 0, pw, ph, io.range);
    tt.end({ w: pw, h: ph });
    const output = await timed('infer', () => runner.full(input, ph, pw).then((r) => r.output), { w: pw, h: ph });
    progress?.('infer', 1);
    const tr = span('to-rgb');
    const out = tensorToRgb(output, pw, ph, width, height, io.range);
    tr.end();
    return { rgb: out, tiles: 1, warnings };
  }
  // Whole-photo normalization statistics from a downscaled copy (long edge statsEdge): every
  // tile is normalized alike, so tones match across tile boundaries. Tiles given exact statistics
  // reproduce a single pass bit for bit, so the copy's size is the only source of difference
  // (bench/scripts/seams.mjs, 4K: mean |diff| vs a single pass 17.0 at 1024 px, 12.7 at the tile
  // budget). A bigger copy is not used: the full graph's session keeps its own memory arena, and
  // a tile-sized stats pass raised 4K peak RSS from 2.5 to 4.1 GiB.
  const scale = Math.min(1, s.statsEdge / Math.max(width, height));
  const sw = Math.max(m, Math.round(width * scale));
  const sh = Math.max(m, Math.round(height * scale));
  const small = scale < 1 ? await resizeRgb(rgb, width, height, sw, sh) : rgb;
  checkCancelled(cancel);
  const statsRun = await timed('infer-stats', () => runner.full(rgbToTensor(small, sw, sh, 0, 0, roundUp(sw, m), roundUp(sh, m), io.range), roundUp(sh, m), roundUp(sw, m)), { w: sw, h: sh });
  if (!statsRun.stats) throw new PasticheError('MODEL', `Model '${s.model.id}' did not output '${io.stats}'; cannot tile`);
  const stats = statsRun.stats;
  const grid = planTiles(width, height, {
    tileSize: s.tileSize ?? tileSizeForBudget(s.tilePixels, m),
    overlap: Math.max(s.model.receptiveField, m),
    multipleOf: m,
  });
  const wx = grid.cols.map((_, i) => axisWeights(grid.cols, i));
  const wy = grid.rows.map((_, i) => axisWeights(grid.rows, i));
  // Float accumulation only for one tile row at a time (see TileAccumulator).
  const bandRows = Math.max(...grid.rows.map((r) => r.length));
  const acc = new TileAccumulator(width, height, io.range, bandRows);
  let done = 0;
  for (const t of grid.tiles) {
    checkCancelled(cancel);
    const pw = roundUp(t.width, m);
    const ph = roundUp(t.height, m);
    const tileRun = runner.tile;
    const input = rgbToTensor(rgb, width, height, t.x, t.y, pw, ph, io.range);
    const out = await timed('infer-tile', () => tileRun(input, ph, pw, stats), { w: pw, h: ph });
    const tb = span('blend-tile');
    acc.add(out, pw, ph, t.x, t.y, t.width, t.height, wx[t.col] as Float32Array, wy[t.row] as Float32Array);
    tb.end();
    progress?.('infer', ++done / grid.tiles.length);
  }
  const tr = span('to-rgb');
  const out = acc.toRgb();
  tr.end({ tiles: grid.tiles.length });
  return { rgb: out, tiles: grid.tiles.length, warnings };
}

/** The plan's pass sizes with the output size, as carried in results. */
export function passPlan(plan: BrushPlan, width: number, height: number): PassPlan {
  return { mode: plan.mode, width, height, brushWidth: plan.brushWidth, brushHeight: plan.brushHeight, detailWidth: plan.detailWidth, detailHeight: plan.detailHeight };
}

export interface BrushPainting {
  rgb: Buffer;
  tiles: number;
  warnings: string[];
  passes: PassTiming[];
}

async function resized(rgb: Buffer, w: number, h: number, tw: number, th: number): Promise<Buffer> {
  return w === tw && h === th ? rgb : resizeRgb(rgb, w, h, tw, th);
}

/**
 * The painting at (tw, th) of a photo (rgb, sw x sh: the export's pixels or a copy at least as
 * large as every pass and the target) whose export is planned by `plan`: the brush pass, then,
 * for a target larger than the brush, the detail pass (two-scale), the blend and one
 * back-projection step. A target at or below the brush size is the brush painting reduced, so a
 * preview of any size is the export downscaled (docs/brush.md).
 */
export async function paintWithBrush(
  rgb: Buffer, sw: number, sh: number, plan: BrushPlan, tw: number, th: number, runner: ModelRunner,
  s: Pick<RenderSettings, 'model' | 'tilePixels' | 'tileSize' | 'statsEdge'>, cancel: CancelToken, progress?: ProgressFn,
): Promise<BrushPainting> {
  const bw = plan.brushWidth;
  const bh = plan.brushHeight;
  const detail = plan.mode === 'two-scale' && Math.max(tw, th) > Math.max(bw, bh);
  const dw = plan.detailWidth;
  const dh = plan.detailHeight;
  // Progress of the inference stage, by pixels: the brush pass, then the detail pass.
  const total = bw * bh + (detail ? dw * dh : 0);
  const part = (offset: number, share: number): ProgressFn => (stage, f) => progress?.(stage, (offset + f * share) / total);
  const passes: PassTiming[] = [];
  const pass = async (kind: PassTiming['kind'], w: number, h: number, offset: number): Promise<StylizedPixels> => {
    const src = await resized(rgb, sw, sh, w, h);
    checkCancelled(cancel);
    const t0 = performance.now();
    const r = await stylizePixels(src, w, h, runner, s, cancel, part(offset, w * h));
    passes.push({ kind, width: w, height: h, tiles: r.tiles, ms: Math.round(performance.now() - t0) });
    return r;
  };
  const b = await pass(plan.mode === 'paint' ? 'paint' : 'brush', bw, bh, 0);
  checkCancelled(cancel);
  const warnings = [...b.warnings];
  if (plan.mode === 'paint' || Math.max(tw, th) <= Math.max(bw, bh)) {
    return { rgb: await timed('brush-resize', () => resized(b.rgb, bw, bh, tw, th)), tiles: b.tiles, warnings, passes };
  }
  let tiles = b.tiles;
  let blend: Uint8Array;
  if (detail) {
    const d = await pass('detail', dw, dh, bw * bh);
    checkCancelled(cancel);
    tiles += d.tiles;
    warnings.push(...d.warnings);
    // up(B) + up(D) - up(down(D)) formed as up(D) + up(B - down(D)): the difference at the brush
    // size, one enlargement fewer for the same picture (docs/brush.md, 'two-scale-fast').
    const sp = span('brush-blend');
    const diff = brushResidual(b.rgb, await resized(d.rgb, dw, dh, bw, bh));
    blend = addResidual(await resized(d.rgb, dw, dh, tw, th), await resized(diff, bw, bh, tw, th));
    sp.end({ w: tw, h: th });
  } else {
    blend = await resized(b.rgb, bw, bh, tw, th);
  }
  // One back-projection step: the result, reduced to the brush size, is the brush painting.
  const bp = span('back-project');
  const residual = brushResidual(b.rgb, await resizeRgb(Buffer.from(blend.buffer, blend.byteOffset, blend.byteLength), tw, th, bw, bh));
  addResidual(blend, await resizeRgb(residual, bw, bh, tw, th));
  bp.end({ w: tw, h: th });
  return { rgb: Buffer.from(blend.buffer, blend.byteOffset, blend.byteLength), tiles, warnings, passes };
}

/** Said in the result when the brush cannot be honoured because the photo itself is smaller. */
export function brushWarning(brush: Brush, outW: number, outH: number, srcW: number, srcH: number): string | null {
  const long = Math.max(outW, outH);
  if (brush === 'native' || brush <= long || long < Math.max(srcW, srcH)) return null;
  return `Brush ${brush} px is larger than the photo (${srcW}x${srcH}): painted at the photo's own size (strokes are larger relative to the picture)`;
}

interface Rendered {
  rgb: Buffer;
  alpha: Buffer | null;
  width: number;
  height: number;
  meta: DecodedImage['meta'];
  sourceWidth: number;
  sourceHeight: number;
  plan: PassPlan;
  tiles: number;
  warnings: string[];
  passes: PassTiming[];
  decodeMs: number;
  decodePixels: number;
  blend: boolean;
}

/**
 * Decode at the output size -> brush plan -> passes -> colour preservation / strength. A preview
 * decodes the export's pixels and follows its plan, only the target is smaller; native previews
 * paint at the preview size (a native pass at the export size would cost the export itself).
 */
async function render(job: StylizeJob | PreviewJob, preview: boolean, runner: ModelRunner, cancel: CancelToken, progress?: ProgressFn): Promise<Rendered> {
  const pj = preview ? (job as PreviewJob) : null;
  if (pj?.crop) return renderCrop(pj, pj.crop, runner, cancel);
  const nativePreview = pj !== null && job.brush === 'native';
  const size = pj ? (nativePreview ? pj.size : pj.exportSize) : job.size;
  const t0 = performance.now();
  const img = await timed('decode', () => decodeImage(job.input, { size, allowUpscale: job.allowUpscale, maxPixels: job.maxPixels }));
  const decodeMs = performance.now() - t0;
  progress?.('decode', 1);
  checkCancelled(cancel);
  const exp = pj ? fitLongEdge(img.sourceWidth, img.sourceHeight, pj.exportSize, job.allowUpscale) : { width: img.width, height: img.height };
  const target = pj && !nativePreview ? fitBrush(img.width, img.height, pj.size) : { width: img.width, height: img.height };
  const tw = target.width;
  const th = target.height;
  const plan = brushPlan(img.width, img.height, job.brush);
  const styl = await paintWithBrush(img.rgb, img.width, img.height, plan, tw, th, runner, job, cancel, progress);
  checkCancelled(cancel);
  const post = span('post');
  const photo = await resized(img.rgb, img.width, img.height, tw, th);
  if (job.preserveColors) preserveColors(styl.rgb, photo);
  applyStrength(styl.rgb, photo, job.strength);
  const alpha = img.alpha ? await resizeAlpha(img.alpha, img.width, img.height, tw, th) : null;
  post.end();
  const warnings = [...img.warnings, ...styl.warnings];
  const w = brushWarning(job.brush, exp.width, exp.height, img.sourceWidth, img.sourceHeight);
  if (w) warnings.push(w);
  return {
    rgb: styl.rgb, alpha, width: tw, height: th, meta: img.meta, sourceWidth: img.sourceWidth, sourceHeight: img.sourceHeight,
    plan: passPlan(nativePreview ? brushPlan(exp.width, exp.height, 'native') : plan, exp.width, exp.height), tiles: styl.tiles, warnings, passes: styl.passes,
    decodeMs, decodePixels: img.sourceWidth * img.sourceHeight, blend: plan.mode !== 'paint' && Math.max(tw, th) > Math.max(plan.brushWidth, plan.brushHeight),
  };
}

/** Centre crop of interleaved pixels (`n` bytes a pixel). */
function centreCrop(px: Buffer, w: number, h: number, cw: number, ch: number, n = 3): Buffer {
  const x0 = (w - cw) >> 1;
  const y0 = (h - ch) >> 1;
  const out = Buffer.allocUnsafe(cw * ch * n);
  for (let y = 0; y < ch; y++) px.copy(out, y * cw * n, ((y0 + y) * w + x0) * n, ((y0 + y) * w + x0 + cw) * n);
  return out;
}

/**
 * A style thumbnail: a centre crop of the photo at the scale of the export's brush pass, painted
 * alone (its instance-norm statistics are the crop's own, so tones may differ a little from the
 * whole painting; the strokes' size relative to the photo is the export's).
 */
async function renderCrop(job: PreviewJob, crop: { width: number; height: number }, runner: ModelRunner, cancel: CancelToken): Promise<Rendered> {
  const t0 = performance.now();
  const probe = await probeImage(job.input, job.maxPixels);
  const exp = fitLongEdge(probe.width, probe.height, job.exportSize, job.allowUpscale);
  const plan = brushPlan(exp.width, exp.height, job.brush);
  const img = await decodeImage(job.input, { size: Math.max(plan.brushWidth, plan.brushHeight), allowUpscale: true, maxPixels: job.maxPixels, fast: true });
  const decodeMs = performance.now() - t0;
  checkCancelled(cancel);
  const cw = Math.min(crop.width, img.width);
  const ch = Math.min(crop.height, img.height);
  const photo = centreCrop(img.rgb, img.width, img.height, cw, ch);
  const styl = await paintWithBrush(photo, cw, ch, brushPlan(cw, ch, 'native'), cw, ch, runner, job, cancel);
  if (job.preserveColors) preserveColors(styl.rgb, photo);
  applyStrength(styl.rgb, photo, job.strength);
  const alpha = img.alpha ? centreCrop(img.alpha, img.width, img.height, cw, ch, 1) : null;
  return {
    rgb: styl.rgb, alpha, width: cw, height: ch, meta: img.meta, sourceWidth: img.sourceWidth, sourceHeight: img.sourceHeight,
    plan: passPlan(plan, exp.width, exp.height), tiles: styl.tiles, warnings: [...img.warnings, ...styl.warnings], passes: styl.passes,
    decodeMs, decodePixels: img.sourceWidth * img.sourceHeight, blend: false,
  };
}

function timingsOf(r: Rendered, t0: number): RenderTimings {
  const inferMs = r.passes.reduce((a, p) => a + p.ms, 0);
  return {
    passes: r.passes, decodeMs: Math.round(r.decodeMs), decodePixels: r.decodePixels,
    outputMs: Math.max(0, Math.round(performance.now() - t0 - inferMs - r.decodeMs)), outputPixels: r.width * r.height, blend: r.blend,
  };
}

export async function runStylize(job: StylizeJob, runner: ModelRunner, cancel: CancelToken, progress?: ProgressFn): Promise<StylizeResult> {
  const t0 = performance.now();
  const img = await render(job, false, runner, cancel, progress);
  let pixels = img.rgb;
  let channels: 3 | 4 = 3;
  if (img.alpha) {
    if (job.format === 'jpg') pixels = flattenOnWhite(img.rgb, img.alpha);
    else {
      pixels = interleaveAlpha(img.rgb, img.alpha);
      channels = 4;
    }
  }
  const data = await timed('encode', () => encodeImage(pixels, img.width, img.height, channels, {
    format: job.format, quality: job.quality, keepMetadata: job.keepMetadata, stripGps: job.stripGps, meta: img.meta,
  }), { format: job.format });
  progress?.('encode', 1);
  // Last chance to cancel before the output appears; after this the file is complete.
  checkCancelled(cancel);
  await timed('write', () => writeAtomic(job.output, job.tmp, data));
  trace('file', performance.now() - t0, { w: img.width, h: img.height, tiles: img.tiles });
  const result: StylizeResult = {
    output: job.output, width: img.width, height: img.height, ms: Math.round(performance.now() - t0),
    provider: runner.provider, tiles: img.tiles, warnings: img.warnings, timings: timingsOf(img, t0),
  };
  if (runner.fallbackReason) result.fallbackReason = runner.fallbackReason;
  return result;
}

export async function runPreview(job: PreviewJob, runner: ModelRunner, cancel: CancelToken): Promise<PreviewResult> {
  const t0 = performance.now();
  const img = await render(job, true, runner, cancel);
  const withAlpha = img.alpha !== null;
  const data = await encodeImage(withAlpha && img.alpha ? interleaveAlpha(img.rgb, img.alpha) : img.rgb, img.width, img.height, withAlpha ? 4 : 3, {
    ...PREVIEW_ENCODING, format: withAlpha ? 'png' : 'jpg', meta: {},
  });
  const result: PreviewResult = {
    data, mime: withAlpha ? 'image/png' : 'image/jpeg', width: img.width, height: img.height,
    ms: Math.round(performance.now() - t0), provider: runner.provider, warnings: img.warnings,
    sourceWidth: img.sourceWidth, sourceHeight: img.sourceHeight, exportPlan: img.plan, timings: timingsOf(img, t0),
    limits: { tilePixels: job.tilePixels, statsEdge: job.statsEdge },
  };
  if (runner.fallbackReason) result.fallbackReason = runner.fallbackReason;
  return result;
}
