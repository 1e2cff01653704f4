// The per-file pipeline run inside the inference worker: decode -> brush passes (whole or tiled) ->
// colour preservation / strength -> encode -> atomic write. Inference is abstracted behind
// ModelRunner (tiled-inference.ts) so this file never touches onnxruntime (only the worker entry does).
import { PREVIEW_ENCODING } from '../common/params.js';
import { brushPlan } from './brush.js';
import { brushWarning, paintWithBrush, passPlan, resized, type PassStore } from './brush-paint.js';
import { cachedDecode, styleKey, type CacheUse } from './pass-cache.js';
import { encodeImage, flattenOnWhite, interleaveAlpha, probeImage, resizeAlpha, writeAtomic, type DecodedImage } from './image-io.js';
import { applyStrength, preserveColors } from './pixels.js';
import { checkCancelled, type CancelToken, type ModelRunner, type ProgressFn } from './tiled-inference.js';
import { fitLongEdge } from '../common/geometry.js';
import { span, timed, trace } from './trace.js';
import type { PassPlan, PassTiming, PreviewJob, PreviewOutput, RenderTimings, StylizeJob, StylizeResult } from '../common/worker-protocol.js';

export { stylizePixels, type CancelToken, type ModelRunner, type ProgressFn, type StylizedPixels } from './tiled-inference.js';
export { brushWarning, paintWithBrush, passPlan, type BrushPainting } from './brush-paint.js';

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
  /** Reductions of the decoded image (reducePixels) to the passes and the target. */
  reduceMs: number;
  reducePixels: number;
  /** Pixels the work after inference ran at: the blend's size where one ran, else the output's. */
  outputPixels: number;
  blend: boolean;
}

/**
 * Decode at the output size -> brush plan -> passes -> colour preservation / strength. A preview
 * decodes the export's pixels and follows its plan, only the target is smaller; native previews
 * paint at the preview size (a native pass at the export size would cost the export itself).
 */
async function render(job: StylizeJob | PreviewJob, preview: boolean, runner: ModelRunner, cancel: CancelToken, progress?: ProgressFn, cache?: CacheUse): Promise<Rendered> {
  const pj = preview ? (job as PreviewJob) : null;
  if (pj?.crop) return renderCrop(pj, pj.crop, runner, cancel, cache);
  const nativePreview = pj !== null && job.brush === 'native';
  const size = pj ? (nativePreview ? pj.size : pj.exportSize) : job.size;
  const t0 = performance.now();
  const dec = await timed('decode', () => cachedDecode(job, { size, allowUpscale: job.allowUpscale, maxPixels: job.maxPixels }, cache));
  const img = dec.image;
  const store: PassStore | undefined = cache && dec.key ? { cache: cache.cache, key: `${dec.key}|${styleKey(job)}`, write: cache.write } : undefined;
  const decodeMs = performance.now() - t0;
  progress?.('decode', 1);
  checkCancelled(cancel);
  const exp = pj ? fitLongEdge(img.sourceWidth, img.sourceHeight, pj.exportSize, job.allowUpscale) : { width: img.width, height: img.height };
  const target = pj && !nativePreview ? fitLongEdge(img.width, img.height, pj.size) : { width: img.width, height: img.height };
  const tw = target.width;
  const th = target.height;
  const plan = brushPlan(img.width, img.height, job.brush);
  const styl = await paintWithBrush(img.rgb, img.width, img.height, plan, tw, th, runner, job, cancel, progress, store);
  checkCancelled(cancel);
  const post = span('post');
  const r0 = performance.now();
  const photo = await resized(img.rgb, img.width, img.height, tw, th);
  const reduceMs = styl.reduceMs + performance.now() - r0;
  if (job.preserveColors) preserveColors(styl.rgb, photo);
  applyStrength(styl.rgb, photo, job.strength);
  const alpha = img.alpha ? await resizeAlpha(img.alpha, img.width, img.height, tw, th) : null;
  post.end();
  const warnings = [...img.warnings, ...styl.warnings];
  const w = brushWarning(job.brush, job.brushChosen === true, exp.width, exp.height, img.sourceWidth, img.sourceHeight);
  if (w) warnings.push(w);
  return {
    rgb: styl.rgb,
    alpha,
    width: tw,
    height: th,
    meta: img.meta,
    sourceWidth: img.sourceWidth,
    sourceHeight: img.sourceHeight,
    plan: passPlan(nativePreview ? brushPlan(exp.width, exp.height, 'native') : plan, exp.width, exp.height),
    tiles: styl.tiles,
    warnings,
    passes: styl.passes,
    decodeMs,
    // A decode found in the store measured nothing: no rate is learned from it.
    decodePixels: dec.hit ? 0 : img.sourceWidth * img.sourceHeight,
    reduceMs,
    reducePixels: img.width * img.height,
    outputPixels: Math.max(styl.composedPixels, tw * th),
    blend: plan.mode !== 'paint' && Math.max(tw, th) > Math.max(plan.brushWidth, plan.brushHeight),
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
async function renderCrop(job: PreviewJob, crop: { width: number; height: number }, runner: ModelRunner, cancel: CancelToken, cache?: CacheUse): Promise<Rendered> {
  const t0 = performance.now();
  const probe = await probeImage(job.input, job.maxPixels);
  const exp = fitLongEdge(probe.width, probe.height, job.exportSize, job.allowUpscale);
  const plan = brushPlan(exp.width, exp.height, job.brush);
  // Every style's thumbnail of a photo starts from this one small decode.
  const { image: img } = await cachedDecode(job, { size: Math.max(plan.brushWidth, plan.brushHeight), allowUpscale: true, maxPixels: job.maxPixels, fast: true }, cache);
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
    rgb: styl.rgb,
    alpha,
    width: cw,
    height: ch,
    meta: img.meta,
    sourceWidth: img.sourceWidth,
    sourceHeight: img.sourceHeight,
    plan: passPlan(plan, exp.width, exp.height),
    tiles: styl.tiles,
    warnings: [...img.warnings, ...styl.warnings],
    passes: styl.passes,
    decodeMs,
    decodePixels: img.sourceWidth * img.sourceHeight,
    reduceMs: styl.reduceMs,
    reducePixels: cw * ch,
    outputPixels: cw * ch,
    blend: false,
  };
}

function timingsOf(r: Rendered, t0: number): RenderTimings {
  const inferMs = r.passes.reduce((a, p) => a + p.ms, 0);
  return {
    passes: r.passes,
    decodeMs: Math.round(r.decodeMs),
    decodePixels: r.decodePixels,
    reduceMs: Math.round(r.reduceMs),
    reducePixels: r.reducePixels,
    outputMs: Math.max(0, Math.round(performance.now() - t0 - inferMs - r.decodeMs - r.reduceMs)),
    outputPixels: r.outputPixels,
    blend: r.blend,
  };
}

export async function runStylize(job: StylizeJob, runner: ModelRunner, cancel: CancelToken, progress?: ProgressFn, cache?: CacheUse): Promise<StylizeResult> {
  const t0 = performance.now();
  const img = await render(job, false, runner, cancel, progress, cache);
  let pixels = img.rgb;
  let channels: 3 | 4 = 3;
  if (img.alpha) {
    if (job.format === 'jpg') pixels = flattenOnWhite(img.rgb, img.alpha);
    else {
      pixels = interleaveAlpha(img.rgb, img.alpha);
      channels = 4;
    }
  }
  const data = await timed(
    'encode',
    () =>
      encodeImage(pixels, img.width, img.height, channels, {
        format: job.format,
        quality: job.quality,
        keepMetadata: job.keepMetadata,
        stripGps: job.stripGps,
        meta: img.meta,
        ...(job.recipe ? { recipe: job.recipe } : {}),
      }),
    { format: job.format },
  );
  progress?.('encode', 1);
  // Last chance to cancel before the output appears; after this the file is complete.
  checkCancelled(cancel);
  await timed('write', () => writeAtomic(job.output, job.tmp, data));
  trace('file', performance.now() - t0, { w: img.width, h: img.height, tiles: img.tiles });
  const result: StylizeResult = {
    output: job.output,
    width: img.width,
    height: img.height,
    ms: Math.round(performance.now() - t0),
    provider: runner.provider,
    tiles: img.tiles,
    warnings: img.warnings,
    timings: timingsOf(img, t0),
  };
  if (runner.fallbackReason) result.fallbackReason = runner.fallbackReason;
  return result;
}

export async function runPreview(job: PreviewJob, runner: ModelRunner, cancel: CancelToken, cache?: CacheUse): Promise<PreviewOutput> {
  const t0 = performance.now();
  const img = await render(job, true, runner, cancel, undefined, cache);
  const withAlpha = img.alpha !== null;
  const data = await encodeImage(withAlpha && img.alpha ? interleaveAlpha(img.rgb, img.alpha) : img.rgb, img.width, img.height, withAlpha ? 4 : 3, {
    ...PREVIEW_ENCODING,
    format: withAlpha ? 'png' : 'jpg',
    meta: {},
  });
  const result: PreviewOutput = {
    data,
    mime: withAlpha ? 'image/png' : 'image/jpeg',
    width: img.width,
    height: img.height,
    ms: Math.round(performance.now() - t0),
    provider: runner.provider,
    warnings: img.warnings,
    sourceWidth: img.sourceWidth,
    sourceHeight: img.sourceHeight,
    exportPlan: img.plan,
    timings: timingsOf(img, t0),
    limits: { tilePixels: job.tilePixels, statsEdge: job.statsEdge },
  };
  if (runner.fallbackReason) result.fallbackReason = runner.fallbackReason;
  return result;
}
