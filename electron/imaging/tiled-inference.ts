// Model inference on interleaved RGB pixels, whole or in tiles: the runner abstraction that keeps
// onnxruntime out of the imaging code (only the worker entry touches it).
import { PasticheError } from '../common/errors.js';
import type { ProviderName } from '../common/types.js';
import { resizeRgb } from './image-io.js';
import { TileAccumulator, cropRgb, padRgb, rgbToTensor, tensorToRgb } from './pixels.js';
import { axisWeights, planTiles, roundUp, tileSizeForBudget } from './tiling.js';
import { span, timed } from './trace.js';
import type { RenderSettings } from '../common/worker-protocol.js';

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

/** `detail`: where within the stage, e.g. 'detail pass, tile 3 of 8'. */
export type ProgressFn = (stage: 'decode' | 'infer' | 'encode', fraction: number, detail?: string) => void;

export function checkCancelled(c: CancelToken): void {
  if (c.cancelled) throw new PasticheError('CANCELLED', 'Cancelled');
}

export interface StylizedPixels {
  rgb: Buffer;
  tiles: number;
  warnings: string[];
}

/** Model inference on an interleaved RGB image, tiling above settings.tilePixels. */
export async function stylizePixels(
  rgb: Buffer,
  width: number,
  height: number,
  runner: ModelRunner,
  s: Pick<RenderSettings, 'model' | 'tilePixels' | 'tileSize' | 'statsEdge'>,
  cancel: CancelToken,
  progress?: ProgressFn,
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
  // Statistics of the whole photo for every tile (wholeImageStats says why from a copy).
  const stats = await wholeImageStats(rgb, width, height, runner, s);
  checkCancelled(cancel);
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
    progress?.('infer', ++done / grid.tiles.length, `tile ${done} of ${grid.tiles.length}`);
  }
  const tr = span('to-rgb');
  const out = acc.toRgb();
  tr.end({ tiles: grid.tiles.length });
  return { rgb: out, tiles: grid.tiles.length, warnings };
}

/**
 * Whole-photo normalization statistics from a downscaled copy (long edge statsEdge): every tile is
 * normalized alike, so tones match across tile boundaries. Tiles given exact statistics
 * reproduce a single pass bit for bit, so the copy's size is the only source of difference
 * (bench/scripts/seams.mjs, 4K: mean |diff| vs a single pass 17.0 at 1024 px, 12.7 at the tile
 * budget). A bigger copy is not used: the full graph's session keeps its own memory arena, and
 * a tile-sized stats pass raised 4K peak RSS from 2.5 to 4.1 GiB.
 */
export async function wholeImageStats(rgb: Buffer, width: number, height: number, runner: ModelRunner, s: Pick<RenderSettings, 'model' | 'statsEdge'>): Promise<Float32Array> {
  const io = s.model.io;
  const m = io.multipleOf;
  const scale = Math.min(1, s.statsEdge / Math.max(width, height));
  const sw = Math.max(m, Math.round(width * scale));
  const sh = Math.max(m, Math.round(height * scale));
  const small = scale < 1 ? await resizeRgb(rgb, width, height, sw, sh) : rgb;
  const statsRun = await timed('infer-stats', () => runner.full(rgbToTensor(small, sw, sh, 0, 0, roundUp(sw, m), roundUp(sh, m), io.range), roundUp(sh, m), roundUp(sw, m)), { w: sw, h: sh });
  if (!statsRun.stats) throw new PasticheError('MODEL', `Model '${s.model.id}' did not output '${io.stats}'; cannot tile`);
  return statsRun.stats;
}

/**
 * One window (x0, y0, w, h) of a photo (width x height) painted with the tiles graph and the
 * whole photo's statistics: what a tile of the tiled export holds there. Outside the photo the
 * window reads it mirrored, as the export's edge tiles do.
 */
export async function paintWindow(
  rgb: Buffer,
  width: number,
  height: number,
  win: { x: number; y: number; width: number; height: number },
  runner: ModelRunner,
  s: Pick<RenderSettings, 'model'>,
  stats: Float32Array,
): Promise<Buffer> {
  const io = s.model.io;
  const tile = runner.tile;
  if (!tile) throw new PasticheError('MODEL', `Model '${s.model.id}' has no tiles variant`);
  const pw = roundUp(win.width, io.multipleOf);
  const ph = roundUp(win.height, io.multipleOf);
  const out = await timed('infer-tile', () => tile(rgbToTensor(rgb, width, height, win.x, win.y, pw, ph, io.range), ph, pw, stats), { w: pw, h: ph });
  return tensorToRgb(out, pw, ph, win.width, win.height, io.range);
}
