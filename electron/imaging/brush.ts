// Brush size: the long edge, in pixels, at which the style is painted. The generator's strokes
// have a fixed size in pixels (its receptive field), so only a pass at the brush size gives
// brush-size strokes; a larger output is that painting enlarged, plus the detail band of a
// second pass at a larger "detail" size (two-scale blend, docs/brush.md). Pure functions on
// interleaved 8-bit RGB; resizing (Lanczos) and inference are the caller's.

import { fitLongEdge } from '../common/geometry.js';
import type { Brush } from '../common/types.js';

/**
 * Detail pass: at most DETAIL_FACTOR x the brush (long edge) and at most DETAIL_PIXELS (under the
 * 3 MP tile budget: one untiled pass, the int8 graph on the CPU), but never under MIN_DETAIL_FACTOR x the
 * brush (less adds too little; docs/brush.md has the measurements behind these).
 */
export const DETAIL_FACTOR = 3;
export const DETAIL_PIXELS = 2_500_000;
/** ...and at most this share of the output's pixels, so it costs well under a native pass. */
export const DETAIL_SHARE = 1 / 3;
export const MIN_DETAIL_FACTOR = 1.5;

export interface DetailOptions {
  factor?: number;
  pixels?: number;
  share?: number;
  minFactor?: number;
}

/**
 * 'paint': one pass at the output size (native, or an output within the brush).
 * 'enlarge': the brush painting enlarged and back-projected, no detail pass (an output under
 *   MIN_DETAIL_FACTOR x the brush, where a detail pass would be as large as the output).
 * 'two-scale': brush pass + detail pass, blended, back-projected.
 */
export type BrushMode = 'paint' | 'enlarge' | 'two-scale';

export interface BrushPlan {
  mode: BrushMode;
  /** Size of the brush-size pass (the whole painting's structure and colour). */
  brushWidth: number;
  brushHeight: number;
  /** Size of the detail pass (the brush size when there is none). */
  detailWidth: number;
  detailHeight: number;
}

/**
 * Pass sizes for an output of (width, height): see BrushMode. The brush pass has long edge
 * `brush`, the detail pass the largest size within the DetailOptions limits.
 */
export function brushPlan(width: number, height: number, brush: Brush, detail: DetailOptions = {}): BrushPlan {
  if (!(width > 0 && height > 0)) throw new RangeError(`Expected a positive size but received ${width}x${height}`);
  const long = Math.max(width, height);
  if (brush === 'native' || brush >= long) {
    return { mode: 'paint', brushWidth: width, brushHeight: height, detailWidth: width, detailHeight: height };
  }
  const factor = detail.factor ?? DETAIL_FACTOR;
  const pixels = Math.min(detail.pixels ?? DETAIL_PIXELS, (detail.share ?? DETAIL_SHARE) * width * height);
  const minFactor = Math.min(factor, detail.minFactor ?? MIN_DETAIL_FACTOR);
  const b = fitLongEdge(width, height, brush);
  if (long <= brush * minFactor) return { mode: 'enlarge', brushWidth: b.width, brushHeight: b.height, detailWidth: b.width, detailHeight: b.height };
  // Long edge whose pixel count is `pixels` at this aspect ratio.
  const byPixels = Math.floor(long * Math.sqrt(pixels / (width * height)));
  const floor = Math.ceil(brush * minFactor);
  let edge = Math.max(floor, Math.min(Math.round(brush * factor), byPixels));
  let d = fitLongEdge(width, height, edge);
  // Rounding the short edge can overshoot the pixel cap by a few pixels.
  while (edge > floor && d.width * d.height > pixels) d = fitLongEdge(width, height, --edge);
  return { mode: 'two-scale', brushWidth: b.width, brushHeight: b.height, detailWidth: d.width, detailHeight: d.height };
}

/**
 * Two-scale blend at the output size: base + gain * (detail - detailLow), clamped, where
 * base = brush painting enlarged, detail = detail painting enlarged, detailLow = detail painting
 * reduced to the brush size and enlarged again. detail - detailLow holds only what the brush
 * size cannot, so the result reduced to the brush size is the brush painting again.
 */
export function composeDetail(base: Uint8Array, detail: Uint8Array, detailLow: Uint8Array, gain = 1): Buffer {
  const n = base.length;
  if (detail.length !== n || detailLow.length !== n) {
    throw new RangeError(`Expected three images of ${n} bytes but received ${n}, ${detail.length} and ${detailLow.length}`);
  }
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const v = base[i]! + gain * (detail[i]! - detailLow[i]!);
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
  }
  return out;
}

/**
 * Back-projection (Irani & Peleg): what the blend, reduced to the brush size, misses of the
 * brush painting, as bytes offset by 128 (the caller enlarges it to the output with the same
 * kernel, which is linear, so the offset survives). Lanczos there and back loses 2.5-3.5 of
 * 0-255 on a painting's fine strokes; one step of this gives most of it back.
 */
export function brushResidual(brushPaint: Uint8Array, blendAtBrush: Uint8Array): Buffer {
  const n = brushPaint.length;
  if (blendAtBrush.length !== n) throw new RangeError(`Expected images of equal size but received ${n} and ${blendAtBrush.length} bytes`);
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const v = 128 + brushPaint[i]! - blendAtBrush[i]!;
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
  }
  return out;
}

/** Adds an enlarged brushResidual to the blend, in place; returns it. */
export function addResidual(blend: Uint8Array, residual: Uint8Array): Uint8Array {
  const n = blend.length;
  if (residual.length !== n) throw new RangeError(`Expected images of equal size but received ${n} and ${residual.length} bytes`);
  for (let i = 0; i < n; i++) {
    const v = blend[i]! + residual[i]! - 128;
    blend[i] = v <= 0 ? 0 : v >= 255 ? 255 : v;
  }
  return blend;
}
