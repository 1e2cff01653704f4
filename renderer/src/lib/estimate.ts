// Export time and memory estimates for this machine, derived from measured
// preview timings (ms per megapixel) and the engine's tile budget. Estimates only.

import type { SizeChoice } from '../../../electron/common/types';

export function scaledSize(w: number, h: number, size: SizeChoice): { width: number; height: number } {
  if (size === 'original' || w === 0 || h === 0) return { width: w, height: h };
  const long = Math.max(w, h);
  // The engine never upscales unless asked, so neither does the estimate.
  const k = Math.min(1, size / long);
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
}

export function megapixels(w: number, h: number): number {
  return (w * h) / 1e6;
}

export const ACTIVATION_BYTES_PER_PIXEL = 440;

export interface Estimate {
  width: number;
  height: number;
  megapixels: number;
  ms: number | null;
  memBytes: number;
}

/**
 * ms: measured ms/MP x MP (null until a preview was timed).
 * memory: decoded photo (RGB8) + float32 accumulation of the output (x2 for blending)
 * + one tile's activations: the built-in pack's CPU peak grows by 0.41 GiB per megapixel
 * (~440 bytes per pixel, pastiche bench, docs/performance.md).
 */
export function estimate(sourceW: number, sourceH: number, size: SizeChoice, msPerMp: number | null, tileSize: number): Estimate {
  const { width, height } = scaledSize(sourceW, sourceH, size);
  const mp = megapixels(width, height);
  const px = width * height;
  const tilePx = Math.min(px, tileSize * tileSize);
  const memBytes = px * 3 + px * 3 * 4 * 2 + tilePx * ACTIVATION_BYTES_PER_PIXEL;
  return { width, height, megapixels: mp, ms: msPerMp === null ? null : msPerMp * mp, memBytes };
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

export const EXPORT_SIZES: { label: string; value: SizeChoice }[] = [
  { label: '720p', value: 1280 },
  { label: '1080p', value: 1920 },
  { label: '1440p', value: 2560 },
  { label: '4K', value: 3840 },
  { label: 'Original', value: 'original' },
];
