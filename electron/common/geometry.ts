// Sizes of pictures: the one long-edge fitter of the pipeline, the brush plan and the renderer's
// estimates. Pure: imports nothing at runtime.
import type { SizeChoice } from './types.js';

/**
 * (width, height) scaled so the long edge is `size` ('original': unchanged). Never enlarged unless
 * allowUpscale: the engine does not upscale silently, so neither do the plans and estimates.
 */
export function fitLongEdge(width: number, height: number, size: SizeChoice, allowUpscale = false): { width: number; height: number } {
  if (size === 'original') return { width, height };
  const long = Math.max(width, height);
  if (size >= long && !allowUpscale) return { width, height };
  const scale = size / long;
  return {
    width: Math.max(1, Math.round(width * scale)),
    height: Math.max(1, Math.round(height * scale)),
  };
}
