// The 1:1 view: one rectangle of the export painted at the export's size with its own brush plan.
// The whole-photo work (decode, brush and detail passes, the back-projection step, native's
// statistics) is done once per photo, style and brush and kept in the PassCache; a rectangle is
// then only the enlargement of small layers over that rectangle (libvips computes just the pixels
// an extract asks for, identical to the whole enlargement's), or for a tiled native export the
// rectangle's tiles with the whole photo's statistics.
import sharp from 'sharp';
import { PasticheError } from '../common/errors.js';
import type { DecodedImage } from './image-io.js';
import type { Rect, RegionJob, RegionOutput } from '../common/worker-protocol.js';
import { addResidual, brushPlan, brushResidual } from './brush.js';
import { resized } from './brush-paint.js';
import { resizeRgb } from './image-io.js';
import { cachedDecode, styleKey, type CacheUse } from './pass-cache.js';
import { applyStrength, preserveColors } from './pixels.js';
import { checkCancelled, paintWindow, stylizePixels, wholeImageStats, type CancelToken, type ModelRunner, type StylizedPixels } from './tiled-inference.js';
import { roundUp, tileSizeForBudget } from './tiling.js';

interface Layer {
  rgb: Buffer;
  width: number;
  height: number;
}

/**
 * The export at (width, height), as what a rectangle of it is made from:
 * - 'whole': the painting itself (one untiled pass at the export size: small photos, brush above them);
 * - 'layers': the first enlarged, each next one (bytes offset by 128) enlarged and added, clamped
 *   in turn: the two-scale blend and its back-projection step exactly as the export forms them;
 * - 'native': the whole photo's statistics for the tiles graph (a tiled native export).
 */
type Painting = { kind: 'whole'; painting: Layer } | { kind: 'layers'; layers: Layer[] } | { kind: 'native'; stats: Float32Array };

const layerBytes = (p: Painting): number => (p.kind === 'whole' ? p.painting.rgb.byteLength : p.kind === 'layers' ? p.layers.reduce((a, l) => a + l.rgb.byteLength, 0) : p.stats.byteLength);

/** Rows (x, y, w, h) of interleaved pixels (`n` bytes each) of an image `width` wide. */
export function cropRect(px: Uint8Array, width: number, r: Rect, n = 3): Buffer {
  const out = Buffer.allocUnsafe(r.width * r.height * n);
  for (let y = 0; y < r.height; y++) {
    const from = ((r.y + y) * width + r.x) * n;
    out.set(px.subarray(from, from + r.width * n), y * r.width * n);
  }
  return out;
}

/** The rectangle within a (width x height) image, or an error when nothing of it is inside. */
export function clampRect(r: Rect, width: number, height: number): Rect {
  const x = Math.min(Math.max(0, r.x), width);
  const y = Math.min(Math.max(0, r.y), height);
  const w = Math.min(r.width, width - x);
  const h = Math.min(r.height, height - y);
  if (w <= 0 || h <= 0) throw new PasticheError('INVALID_PARAM', `Expected a rectangle within the ${width}x${height} export but received ${r.width}x${r.height} at (${r.x}, ${r.y})`);
  return { x, y, width: w, height: h };
}

/** A layer enlarged to (W, H), only over `r`. */
async function enlargedOver(l: Layer, W: number, H: number, r: Rect): Promise<Buffer> {
  if (l.width === W && l.height === H) return cropRect(l.rgb, W, r);
  return sharp(l.rgb, { raw: { width: l.width, height: l.height, channels: 3 } })
    .resize(W, H, { fit: 'fill', kernel: 'lanczos3' })
    .extract({ left: r.x, top: r.y, width: r.width, height: r.height })
    .raw()
    .toBuffer();
}

interface Ctx {
  job: RegionJob;
  img: DecodedImage;
  key: string;
  runner: ModelRunner;
  cancel: CancelToken;
  use: CacheUse;
}

/** One pass of the plan, stored under the key paintWithBrush uses (a preview's passes serve here). */
async function pass(c: Ctx, w: number, h: number): Promise<StylizedPixels> {
  const { img } = c;
  return c.use.cache.through(
    `${c.key}|${w}x${h}`,
    async () => {
      const src = await resized(img.rgb, img.width, img.height, w, h);
      checkCancelled(c.cancel);
      return stylizePixels(src, w, h, c.runner, c.job, c.cancel);
    },
    (r) => r.rgb.byteLength,
  );
}

/** The whole-photo work of the export's plan (electron/imaging/brush-paint.ts does the same at once). */
async function paintingOf(c: Ctx): Promise<Painting> {
  const { img, job, runner } = c;
  const W = img.width;
  const H = img.height;
  const plan = brushPlan(W, H, job.brush);
  if (plan.mode === 'paint') {
    if (W * H > job.tilePixels && runner.tile) return { kind: 'native', stats: await wholeImageStats(img.rgb, W, H, runner, job) };
    return { kind: 'whole', painting: { rgb: (await pass(c, W, H)).rgb, width: W, height: H } };
  }
  const [bw, bh, dw, dh] = [plan.brushWidth, plan.brushHeight, plan.detailWidth, plan.detailHeight];
  const b = await pass(c, bw, bh);
  checkCancelled(c.cancel);
  const layers: Layer[] = [];
  let blend: Buffer;
  if (plan.mode === 'two-scale') {
    const d = await pass(c, dw, dh);
    checkCancelled(c.cancel);
    const diff = brushResidual(b.rgb, await resized(d.rgb, dw, dh, bw, bh));
    blend = await resized(d.rgb, dw, dh, W, H);
    addResidual(blend, await resized(diff, bw, bh, W, H));
    layers.push({ rgb: d.rgb, width: dw, height: dh }, { rgb: diff, width: bw, height: bh });
  } else {
    blend = await resized(b.rgb, bw, bh, W, H);
    layers.push({ rgb: b.rgb, width: bw, height: bh });
  }
  // The export's back-projection step needs its whole blend once; its residual is brush-sized.
  layers.push({ rgb: brushResidual(b.rgb, await resizeRgb(blend, W, H, bw, bh)), width: bw, height: bh });
  return { kind: 'layers', layers };
}

/** A tiled native export over `r`: windows of the tile budget, each with a receptive field of margin. */
async function nativeOver(c: Ctx, stats: Float32Array, r: Rect): Promise<Buffer> {
  const { img, job } = c;
  const m = job.model.io.multipleOf;
  const margin = roundUp(Math.max(job.model.receptiveField, m), m);
  const step = Math.max(m, tileSizeForBudget(job.tilePixels, m) - 2 * margin);
  const out = Buffer.allocUnsafe(r.width * r.height * 3);
  for (let cy = r.y; cy < r.y + r.height; cy += step) {
    for (let cx = r.x; cx < r.x + r.width; cx += step) {
      checkCancelled(c.cancel);
      const cw = Math.min(step, r.x + r.width - cx);
      const ch = Math.min(step, r.y + r.height - cy);
      // Window starts on the model's multiple, as the export's tiles do (same phase of its strides).
      const x0 = Math.max(0, Math.floor((cx - margin) / m) * m);
      const y0 = Math.max(0, Math.floor((cy - margin) / m) * m);
      const win = { x: x0, y: y0, width: Math.min(img.width, cx + cw + margin) - x0, height: Math.min(img.height, cy + ch + margin) - y0 };
      const px = await paintWindow(img.rgb, img.width, img.height, win, c.runner, job, stats);
      const inner = cropRect(px, win.width, { x: cx - x0, y: cy - y0, width: cw, height: ch });
      for (let y = 0; y < ch; y++) inner.copy(out, ((cy - r.y + y) * r.width + (cx - r.x)) * 3, y * cw * 3, (y + 1) * cw * 3);
    }
  }
  return out;
}

/** Pastes `src` (rectangle `from`) into `dst` (rectangle `to`), where they overlap. */
function paste(dst: Buffer, to: Rect, src: Uint8Array, from: Rect): void {
  const x0 = Math.max(to.x, from.x);
  const x1 = Math.min(to.x + to.width, from.x + from.width);
  for (let y = Math.max(to.y, from.y); y < Math.min(to.y + to.height, from.y + from.height); y++) {
    if (x1 <= x0) return;
    const s = ((y - from.y) * from.width + (x0 - from.x)) * 3;
    dst.set(src.subarray(s, s + (x1 - x0) * 3), ((y - to.y) * to.width + (x0 - to.x)) * 3);
  }
}

/** What of `r` lies outside `last`: up to four rectangles (the bands above and below, the sides). */
export function uncovered(r: Rect, last: Rect): Rect[] {
  const top = Math.min(Math.max(last.y, r.y), r.y + r.height);
  const bottom = Math.max(Math.min(last.y + last.height, r.y + r.height), top);
  const left = Math.min(Math.max(last.x, r.x), r.x + r.width);
  const right = Math.max(Math.min(last.x + last.width, r.x + r.width), left);
  const parts: Rect[] = [
    { x: r.x, y: r.y, width: r.width, height: top - r.y },
    { x: r.x, y: bottom, width: r.width, height: r.y + r.height - bottom },
    { x: r.x, y: top, width: left - r.x, height: bottom - top },
    { x: right, y: top, width: r.x + r.width - right, height: bottom - top },
  ];
  return parts.filter((p) => p.width > 0 && p.height > 0);
}

/**
 * A native rectangle, reusing the one painted last for this photo and style: a pan paints only
 * the bands it uncovers (each with its own margin, so they are the export's tiles there too).
 */
async function nativePanned(c: Ctx, stats: Float32Array, r: Rect): Promise<Buffer> {
  const key = `${c.key}|native-last`;
  const last = c.use.cache.get<{ rect: Rect; rgb: Buffer }>(key);
  let rgb: Buffer;
  if (!last) rgb = await nativeOver(c, stats, r);
  else {
    rgb = Buffer.alloc(r.width * r.height * 3);
    paste(rgb, r, last.rgb, last.rect);
    for (const part of uncovered(r, last.rect)) paste(rgb, r, await nativeOver(c, stats, part), part);
  }
  c.use.cache.set(key, { rect: r, rgb: Buffer.from(rgb) }, rgb.byteLength);
  return rgb;
}

export async function runRegion(job: RegionJob, runner: ModelRunner, cancel: CancelToken, use: CacheUse): Promise<RegionOutput> {
  const t0 = performance.now();
  const dec = await cachedDecode(job, { size: job.exportSize, allowUpscale: job.allowUpscale, maxPixels: job.maxPixels }, use);
  const img = dec.image;
  checkCancelled(cancel);
  const W = img.width;
  const H = img.height;
  const r = clampRect(job.rect, W, H);
  const key = `${dec.key ?? job.input}|${styleKey(job)}`;
  const c: Ctx = { job, img, key, runner, cancel, use };
  const paintingKey = `${key}|painting|${job.brush}`;
  let p = use.cache.get<Painting>(paintingKey);
  const cached = p !== undefined;
  if (!p) {
    p = await paintingOf(c);
    use.cache.set(paintingKey, p, layerBytes(p));
  }
  checkCancelled(cancel);
  let rgb: Buffer;
  if (p.kind === 'whole') rgb = cropRect(p.painting.rgb, W, r);
  else if (p.kind === 'native') rgb = await nativePanned(c, p.stats, r);
  else {
    const [first, ...rest] = p.layers;
    rgb = await enlargedOver(first as Layer, W, H, r);
    for (const l of rest) addResidual(rgb, await enlargedOver(l, W, H, r));
  }
  const photo = cropRect(img.rgb, W, r);
  if (job.preserveColors) preserveColors(rgb, photo);
  applyStrength(rgb, photo, job.strength);
  const alpha = img.alpha ? cropRect(img.alpha, W, r, 1) : null;
  let px = rgb;
  if (alpha) {
    px = Buffer.allocUnsafe(r.width * r.height * 4);
    for (let i = 0, j = 0; i < alpha.length; i++, j += 4) {
      px[j] = rgb[i * 3]!;
      px[j + 1] = rgb[i * 3 + 1]!;
      px[j + 2] = rgb[i * 3 + 2]!;
      px[j + 3] = alpha[i]!;
    }
  }
  // Lossless and quick to write: the view shows the export's own pixels.
  const data = await sharp(px, { raw: { width: r.width, height: r.height, channels: alpha ? 4 : 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  const out: RegionOutput = {
    data,
    mime: 'image/png',
    rect: r,
    exportWidth: W,
    exportHeight: H,
    ms: Math.round(performance.now() - t0),
    cached,
    provider: runner.provider,
    warnings: [...img.warnings],
  };
  if (runner.fallbackReason) out.fallbackReason = runner.fallbackReason;
  return out;
}
