// Export time and memory estimates for this machine: the export's brush plan (its pass sizes,
// electron/imaging/brush.ts, sent with every preview) times rates measured on this machine in
// previews and exports (ms per megapixel of each kind of work). Estimates only.

import { fitLongEdge } from '../../../electron/common/geometry';
import type { PassPlan, RenderTimings, SizeChoice } from '../../../electron/common/types';

export function megapixels(w: number, h: number): number {
  return (w * h) / 1e6;
}

/** The built-in pack's CPU peak grows by 0.41 GiB per megapixel of one pass (pastiche bench, docs/performance.md). */
export const ACTIVATION_BYTES_PER_PIXEL = 440;
/** Byte buffers at the output size during a brush export: photo, paintings, blend, residual (docs/brush.md). */
export const OUTPUT_BYTES_PER_PIXEL = 18;
/** Tiles overlap by the receptive field: a 4K photo's tiles cost 1.06x its pixels (docs/architecture.md). */
export const TILE_OVERHEAD = 1.06;
/** Passes this small are dominated by per-run overhead: their rate says little about a large one. */
export const MIN_RATE_PIXELS = 100_000;

/** ms per megapixel on this machine, as last measured (null: not yet). */
export interface Rates {
  /** One untiled inference pass (the int8 graph on the CPU). */
  single: number | null;
  /** Tiled inference (native at large sizes), per pixel of the whole tiled pass: overlap and statistics pass included. */
  tiled: number | null;
  /** Decoding the photo at its full size. */
  decode: number | null;
  /** Reducing the export-size pixels to the pass sizes. */
  reduce: number | null;
  /** After inference, per output pixel, of a render that blended: enlargements, blend, back-projection, strength, encode, write. */
  output: number | null;
  /** The same of any render (one that only reduced or encoded does less per pixel). */
  finish: number | null;
}

export const NO_RATES: Rates = { single: null, tiled: null, decode: null, reduce: null, output: null, finish: null };

const rate = (ms: number, px: number): number => (ms * 1e6) / px;

/** Weight of a new measurement in a rate's moving average. */
export const RATE_WEIGHT = 0.3;

/**
 * A measurement folded into the rate: clipped to half or twice the rate so far (one render slowed
 * by other work on the machine cannot double an estimate), then a moving average, which still
 * follows a lasting change of the machine's load within a few renders.
 */
export function averaged(prev: number | null, sample: number): number {
  if (prev === null || !(prev > 0)) return sample;
  const s = Math.min(2 * prev, Math.max(prev / 2, sample));
  return prev + RATE_WEIGHT * (s - prev);
}

/** Rates updated from one render's timings, each a robust moving average (`averaged`). */
export function learnRates(prev: Rates, t: RenderTimings): Rates {
  const next = { ...prev };
  const fold = (k: keyof Rates, v: number): void => {
    next[k] = averaged(prev[k], v);
  };
  // Passes found in the worker's store ran no inference (tiles 0): they measure nothing.
  const untiled = t.passes.filter((p) => p.tiles === 1 && p.width * p.height >= MIN_RATE_PIXELS);
  const px = untiled.reduce((a, p) => a + p.width * p.height, 0);
  if (px > 0)
    fold(
      'single',
      rate(
        untiled.reduce((a, p) => a + p.ms, 0),
        px,
      ),
    );
  const tiled = t.passes.filter((p) => p.tiles > 1);
  const tpx = tiled.reduce((a, p) => a + p.width * p.height, 0);
  if (tpx > 0)
    fold(
      'tiled',
      rate(
        tiled.reduce((a, p) => a + p.ms, 0),
        tpx,
      ),
    );
  if (t.decodePixels >= MIN_RATE_PIXELS) fold('decode', rate(t.decodeMs, t.decodePixels));
  if (t.reducePixels >= MIN_RATE_PIXELS && t.reduceMs > 0) fold('reduce', rate(t.reduceMs, t.reducePixels));
  // Only a render that blended at its own size measures an export's output work; a preview that
  // reduced the brush painting did much less per pixel.
  if (t.outputPixels >= MIN_RATE_PIXELS) {
    if (t.blend) fold('output', rate(t.outputMs, t.outputPixels));
    else fold('finish', rate(t.outputMs, t.outputPixels));
  }
  return next;
}

export interface PassEstimate {
  kind: 'brush' | 'detail' | 'paint';
  width: number;
  height: number;
  tiled: boolean;
}

export interface Estimate {
  width: number;
  height: number;
  megapixels: number;
  passes: PassEstimate[];
  /** null until every rate the plan needs was measured. */
  ms: number | null;
  memBytes: number;
}

export interface EngineLimits {
  /** Passes above this many pixels run in tiles. */
  tilePixels: number;
  /** Long edge of the statistics pass of a tiled run. */
  statsEdge: number;
}

/**
 * Time of an export of the source photo by its plan: decode at full size + reduction to the pass
 * sizes + each pass at its rate (tiled ones with their overlap and statistics pass) + the output
 * work at the output size.
 */
export function estimate(plan: PassPlan, sourceW: number, sourceH: number, rates: Rates, limits: EngineLimits): Estimate {
  const { width, height } = plan;
  const sizes: [PassEstimate['kind'], number, number][] =
    plan.mode === 'paint'
      ? [['paint', width, height]]
      : plan.mode === 'enlarge'
        ? [['brush', plan.brushWidth, plan.brushHeight]]
        : [
            ['brush', plan.brushWidth, plan.brushHeight],
            ['detail', plan.detailWidth, plan.detailHeight],
          ];
  const passes = sizes.map(([kind, w, h]) => ({ kind, width: w, height: h, tiled: w * h > limits.tilePixels }));
  let ms: number | null = (rates.decode ?? NaN) * megapixels(sourceW, sourceH);
  // One pass at the output size needs no reduction; the brush and detail passes do.
  if (plan.mode !== 'paint') ms += (rates.reduce ?? NaN) * megapixels(width, height);
  // A blend not measured yet (previews within the brush never blend) counts at the finishing rate: low.
  // A blend does the finishing work and more: never estimated below it (sizes stay in order).
  const finish = plan.mode === 'paint' ? (rates.finish ?? rates.output) : rates.output !== null && rates.finish !== null ? Math.max(rates.output, rates.finish) : (rates.output ?? rates.finish);
  ms += (finish ?? NaN) * megapixels(width, height);
  for (const p of passes) {
    const mp = megapixels(p.width, p.height);
    const statsMp = (limits.statsEdge * limits.statsEdge * Math.min(p.width, p.height)) / Math.max(p.width, p.height) / 1e6;
    // A measured tiled rate is per pixel of the whole pass (overlap and statistics pass included);
    // until one ran, a tiled pass counts at the single-pass rate on its overlap and statistics too.
    if (!p.tiled) ms += (rates.single ?? NaN) * mp;
    else {
      const tiledMs = rates.tiled !== null ? rates.tiled * mp : (rates.single ?? NaN) * (TILE_OVERHEAD * mp + statsMp);
      // Never less than the largest untiled pass: a larger export is never estimated quicker.
      ms += Math.max(tiledMs, (rates.single ?? 0) * (limits.tilePixels / 1e6));
    }
  }
  if (!Number.isFinite(ms)) ms = null;
  const out = width * height;
  const largest = Math.max(...passes.map((p) => Math.min(p.width * p.height, limits.tilePixels)));
  const memBytes = sourceW * sourceH * 3 + out * OUTPUT_BYTES_PER_PIXEL + largest * ACTIVATION_BYTES_PER_PIXEL;
  return { width, height, megapixels: megapixels(width, height), passes, ms, memBytes };
}

/** What an estimate needs from the last preview (PreviewResult's fields). */
export interface PlannedPreview {
  sourceWidth: number;
  sourceHeight: number;
  exportPlan: PassPlan;
  limits: EngineLimits;
}

/**
 * The estimate of exporting the previewed photo at this size and brush, or null while the last
 * preview was planned for another choice (an old plan would estimate another export).
 */
export function exportEstimate(last: PlannedPreview | null, size: SizeChoice, brush: number | 'native', rates: Rates): Estimate | null {
  if (!last) return null;
  const want = fitLongEdge(last.sourceWidth, last.sourceHeight, size);
  const p = last.exportPlan;
  const painted = brush === 'native' || Math.max(want.width, want.height) <= brush;
  const planned = p.width === want.width && p.height === want.height && (p.mode === 'paint') === painted && (painted || Math.max(p.brushWidth, p.brushHeight) === brush);
  return planned ? estimate(p, last.sourceWidth, last.sourceHeight, rates, last.limits) : null;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

export function formatBytes(b: number): string {
  if (b < 1024 ** 2) return `${Math.max(1, Math.round(b / 1024))} KB`;
  if (b < 1024 ** 3) return `${Math.round(b / 1024 ** 2)} MB`;
  return `${(b / 1024 ** 3).toFixed(1)} GB`;
}
