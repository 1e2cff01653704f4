// Pure geometry for tiled inference of photos too large to run in one pass.
//
// Tiles form a separable grid. Neighbouring tiles overlap by at least the model's receptive
// field. Inside an overlap the two tiles are cross-faded linearly, after skipping a quarter of
// the overlap at each tile's edge (those pixels see the tile's artificial border). The blender
// divides by the summed weights, so the result stays a convex combination even where a short
// last step makes three tiles meet. Tile starts are multiples of `multipleOf` so every tile samples the
// strided convolutions on the same phase as a whole-image pass.

export interface AxisSpan {
  start: number;
  length: number;
}

export interface Tile {
  x: number;
  y: number;
  width: number;
  height: number;
  col: number;
  row: number;
}

export interface TileGrid {
  cols: AxisSpan[];
  rows: AxisSpan[];
  tiles: Tile[];
}

export interface TileOptions {
  /** Nominal tile edge (input pixels); rounded down to a multiple of multipleOf. */
  tileSize: number;
  /** Minimum overlap between neighbouring tiles, e.g. the receptive field. */
  overlap: number;
  multipleOf: number;
}

export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Reflection padding needed to reach a multiple of m. */
export function padAmount(n: number, m: number): number {
  return roundUp(n, m) - n;
}

/** Splits [0, length) into overlapping spans. */
export function planAxis(length: number, tileSize: number, overlap: number, multipleOf: number): AxisSpan[] {
  if (!(length > 0)) throw new RangeError(`length must be positive, got ${length}`);
  const m = Math.max(1, multipleOf);
  const t = Math.floor(tileSize / m) * m;
  const o = roundUp(Math.max(0, overlap), m);
  // Room for both ramps plus a core, so every pixel keeps a positive weight somewhere.
  if (t < 2 * o + 2 * m) throw new RangeError(`tileSize ${tileSize} too small for overlap ${overlap}`);
  if (length <= t) return [{ start: 0, length }];
  // Starts snap down to multiples of m, which can widen a step by up to m - 1: plan with that slack.
  const n = Math.max(2, Math.ceil((Math.floor((length - t) / m) * m) / (t - o - m)) + 1);
  // Then the shortest tile that still covers the axis with n tiles: full-budget tiles would overlap
  // far more than the receptive field needs (4K at a 3 MP budget: 2.4x the pixels, not 1.06x).
  const fit = Math.min(t, Math.max(2 * o + 2 * m, roundUp(Math.ceil((length + (n - 1) * (o + m)) / n), m)));
  const lastStart = Math.floor((length - fit) / m) * m;
  const spans: AxisSpan[] = [];
  for (let i = 0; i < n; i++) {
    const start = i === n - 1 ? lastStart : Math.floor((i * lastStart) / (n - 1) / m) * m;
    // The last tile absorbs the remainder (< m beyond fit) so the grid ends exactly at length.
    spans.push({ start, length: i === n - 1 ? length - start : fit });
  }
  return spans;
}

/**
 * Blend weight of each pixel of span i along its axis (length = span length).
 * 1 where only this tile covers, a linear ramp across overlaps, 0 in the dead margins.
 */
export function axisWeights(spans: readonly AxisSpan[], i: number): Float32Array {
  const span = spans[i];
  if (!span) throw new RangeError(`no span ${i}`);
  const w = new Float32Array(span.length).fill(1);
  const prev = spans[i - 1];
  const next = spans[i + 1];
  if (prev) {
    // Overlap [p, q) with the previous tile; this tile fades in.
    const p = span.start;
    const q = prev.start + prev.length;
    for (let x = p; x < q; x++) w[x - span.start] = rampIn(x, p, q);
  }
  if (next) {
    const p = next.start;
    const q = span.start + span.length;
    for (let x = p; x < q; x++) {
      const k = x - span.start;
      w[k] = (w[k] ?? 1) * (1 - rampIn(x, p, q));
    }
  }
  return w;
}

/** Weight of the later tile at x inside overlap [p, q): 0 then linear then 1. */
export function rampIn(x: number, p: number, q: number): number {
  const o = q - p;
  const dead = Math.floor(o / 4);
  const width = o - 2 * dead;
  const v = (x - (p + dead) + 0.5) / width;
  return v <= 0 ? 0 : v >= 1 ? 1 : v;
}

export function planTiles(width: number, height: number, opts: TileOptions): TileGrid {
  const cols = planAxis(width, opts.tileSize, opts.overlap, opts.multipleOf);
  const rows = planAxis(height, opts.tileSize, opts.overlap, opts.multipleOf);
  const tiles: Tile[] = [];
  rows.forEach((r, row) => {
    cols.forEach((c, col) => tiles.push({ x: c.start, y: r.start, width: c.length, height: r.length, col, row }));
  });
  return { cols, rows, tiles };
}

/** Largest multiple of m whose square fits in a pixel budget (tile edge for tiled inference). */
export function tileSizeForBudget(budgetPixels: number, multipleOf: number): number {
  return Math.max(multipleOf, Math.floor(Math.sqrt(budgetPixels) / multipleOf) * multipleOf);
}
