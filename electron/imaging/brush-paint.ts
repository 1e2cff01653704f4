// The brush plan carried out on pixels (electron/imaging/brush.ts has the plan and the blend's
// pure functions): the brush pass, the detail pass, the blend and the back-projection, at the
// export's size or at a smaller view of it.
import type { Brush } from '../common/types.js';
import { addResidual, brushResidual, type BrushPlan } from './brush.js';
import type { PassCache } from './pass-cache.js';
import { resizeRgb } from './image-io.js';
import { checkCancelled, stylizePixels, type CancelToken, type ModelRunner, type ProgressFn, type StylizedPixels } from './tiled-inference.js';
import { span, timed } from './trace.js';
import type { PassPlan, PassTiming, RenderSettings } from '../common/worker-protocol.js';

/** The plan's pass sizes with the output size, as carried in results. */
export function passPlan(plan: BrushPlan, width: number, height: number): PassPlan {
  return { mode: plan.mode, width, height, brushWidth: plan.brushWidth, brushHeight: plan.brushHeight, detailWidth: plan.detailWidth, detailHeight: plan.detailHeight };
}

export interface BrushPainting {
  rgb: Buffer;
  tiles: number;
  warnings: string[];
  passes: PassTiming[];
  /** Reducing the photo (sw x sh) to the pass sizes: work that scales with the photo's pixels. */
  reduceMs: number;
  /** Pixels the blend and back-projection ran at (0: none ran). */
  composedPixels: number;
}

/** Where the passes of one photo and style are kept: `key` names them, `write` stores new ones. */
export interface PassStore {
  cache: PassCache;
  key: string;
  write: boolean;
}

const passBytes = (r: StylizedPixels): number => r.rgb.byteLength;

export async function resized(rgb: Buffer, w: number, h: number, tw: number, th: number): Promise<Buffer> {
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
  rgb: Buffer,
  sw: number,
  sh: number,
  plan: BrushPlan,
  tw: number,
  th: number,
  runner: ModelRunner,
  s: Pick<RenderSettings, 'model' | 'tilePixels' | 'tileSize' | 'statsEdge'>,
  cancel: CancelToken,
  progress?: ProgressFn,
  store?: PassStore,
): Promise<BrushPainting> {
  const bw = plan.brushWidth;
  const bh = plan.brushHeight;
  const detail = plan.mode === 'two-scale' && Math.max(tw, th) > Math.max(bw, bh);
  const dw = plan.detailWidth;
  const dh = plan.detailHeight;
  // Progress of the inference stage, by pixels: the brush pass, then the detail pass.
  const total = bw * bh + (detail ? dw * dh : 0);
  const part =
    (offset: number, share: number, label: string): ProgressFn =>
    (stage, f, detail) =>
      progress?.(stage, (offset + f * share) / total, detail ? `${label}, ${detail}` : label);
  const passes: PassTiming[] = [];
  let reduceMs = 0;
  const pass = async (kind: PassTiming['kind'], w: number, h: number, offset: number): Promise<StylizedPixels> => {
    const key = store && `${store.key}|${w}x${h}`;
    const hit = key ? store.cache.get<StylizedPixels>(key) : undefined;
    if (hit) {
      passes.push({ kind, width: w, height: h, tiles: 0, ms: 0 });
      part(offset, w * h, `${kind} pass`)('infer', 1);
      return hit;
    }
    const r0 = performance.now();
    const src = await resized(rgb, sw, sh, w, h);
    reduceMs += performance.now() - r0;
    checkCancelled(cancel);
    const t0 = performance.now();
    const r = await stylizePixels(src, w, h, runner, s, cancel, part(offset, w * h, `${kind} pass`));
    passes.push({ kind, width: w, height: h, tiles: r.tiles, ms: Math.round(performance.now() - t0) });
    if (key && store.write) store.cache.set(key, r, passBytes(r));
    return r;
  };
  const b = await pass(plan.mode === 'paint' ? 'paint' : 'brush', bw, bh, 0);
  checkCancelled(cancel);
  const warnings = [...b.warnings];
  if (plan.mode === 'paint' || Math.max(tw, th) <= Math.max(bw, bh)) {
    // The caller changes the painting in place (colours, strength): never hand out a cached pass.
    const own = store && bw === tw && bh === th ? Buffer.from(b.rgb) : b.rgb;
    return { rgb: await timed('brush-resize', () => resized(own, bw, bh, tw, th)), tiles: b.tiles, warnings, passes, reduceMs, composedPixels: 0 };
  }
  let tiles = b.tiles;
  let blend: Uint8Array;
  // A target smaller than the detail pass (a preview) is composed at the detail size and reduced
  // after, as the export's blend is: composed smaller, the detail band is reduced before the blend
  // and the preview drifts from the export reduced (a 768 px preview of a 1600 px export at brush
  // 512: mean |diff| 4.90 instead of 4.29, of which JPEG q85 alone is 3.19).
  const [ow, oh] = [tw, th];
  if (detail && Math.max(tw, th) < Math.max(dw, dh)) [tw, th] = [dw, dh];
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
  const out = await resized(Buffer.from(blend.buffer, blend.byteOffset, blend.byteLength), tw, th, ow, oh);
  return { rgb: out, tiles, warnings, passes, reduceMs, composedPixels: tw * th };
}

/**
 * Said in the result when a brush the user chose cannot be honoured because the photo itself is
 * smaller. The default brush stays quiet: every photo under 1024 px would say so, and nobody asked.
 */
export function brushWarning(brush: Brush, chosen: boolean, outW: number, outH: number, srcW: number, srcH: number): string | null {
  const long = Math.max(outW, outH);
  if (!chosen || brush === 'native' || brush <= long || long < Math.max(srcW, srcH)) return null;
  return `Brush ${brush} px is larger than the photo (${srcW}x${srcH}): painted at the photo's own size (strokes are larger relative to the picture)`;
}
