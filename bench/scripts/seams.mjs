// Seam check for tiled inference (docs/performance.md): stylizes one large photo twice with the
// real engine, tiled (default memory budget) and in a single pass, and compares
//  - the tiled output against the single pass, near tile boundaries vs everywhere else, and
//  - the tiled output's neighbour differences across the boundary lines vs across all lines.
// usage: node bench/scripts/seams.mjs [photo] [--style id] [--edge 3840] [--stats-edge N]   (run `npm run build:node` first)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Engine } from '../../dist/electron/engine/index.js';
import { DEFAULT_TILE_PIXELS } from '../../dist/electron/engine/engine-options.js';
import { planTiles, tileSizeForBudget } from '../../dist/electron/imaging/tiling.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const photo = args[0] && !args[0].startsWith('--') ? args[0] : path.resolve('../shared/data/eval/kodak/kodim23.png');
const style = opt('--style', 'starry-night');
const edge = Number(opt('--edge', '3840'));
const statsEdge = Number(opt('--stats-edge', '0')) || undefined;
const dir = mkdtempSync(path.join(os.tmpdir(), 'pastiche-seams-'));

async function run(tilePixels, name) {
  const engine = await Engine.create({ device: 'cpu', tilePixels, ...(statsEdge ? { statsEdge } : {}) });
  try {
    const t0 = performance.now();
    const r = await engine.stylizeFile(big, { outputPath: path.join(dir, name) }, { style, size: 'original', format: 'png', keepMetadata: false });
    if (r.status !== 'ok') throw new Error(r.error);
    return { ms: Math.round(performance.now() - t0), data: (await sharp(path.join(dir, name)).raw().toBuffer({ resolveWithObject: true })) };
  } finally { await engine.close(); }
}

const big = path.join(dir, 'big.png');
await sharp(photo).resize({ width: edge, kernel: 'lanczos3' }).png({ compressionLevel: 1 }).toFile(big);
const { width, height } = await sharp(big).metadata();
const tiled = await run(DEFAULT_TILE_PIXELS, 'tiled.png');
const whole = await run(1e12, 'whole.png');
const a = tiled.data.data, b = whole.data.data, ch = tiled.data.info.channels;
const manifestRf = 58; // receptive field of pastiche-pack16 (models/manifest.json)
const grid = planTiles(width, height, { tileSize: tileSizeForBudget(DEFAULT_TILE_PIXELS, 4), overlap: manifestRf, multipleOf: 4 });
// Boundary lines: the middle of each overlap between neighbouring tiles.
const mids = (spans) => spans.slice(1).map((s, i) => Math.round((s.start + spans[i].start + spans[i].length) / 2));
const xb = mids(grid.cols), yb = mids(grid.rows);
const near = (v, lines, r) => lines.some((l) => Math.abs(v - l) <= r);
let dNear = 0, nNear = 0, dFar = 0, nFar = 0;
for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
  const i = (y * width + x) * ch;
  const d = (Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2])) / 3;
  if (near(x, xb, 32) || near(y, yb, 32)) { dNear += d; nNear++; } else { dFar += d; nFar++; }
}
// Mean |difference| between pixel columns x and x+1, for every x: boundary columns vs the rest.
const colStep = (img, x) => { let s = 0; for (let y = 0; y < height; y++) { const i = (y * width + x) * ch; s += Math.abs(img[i] - img[i + ch]) + Math.abs(img[i + 1] - img[i + 1 + ch]) + Math.abs(img[i + 2] - img[i + 2 + ch]); } return s / (3 * height); };
const steps = Array.from({ length: width - 1 }, (_, x) => colStep(a, x));
const atBoundary = xb.flatMap((l) => [l - 1, l, l + 1]).map((x) => steps[x]);
const sorted = [...steps].sort((p, q) => p - q);
const result = {
  photo: path.basename(photo), style, statsEdge: statsEdge ?? 'default', width, height, tiles: grid.tiles.length, boundaryColumns: xb, boundaryRows: yb,
  msTiled: tiled.ms, msWhole: whole.ms,
  meanAbsDiffVsSinglePass: { nearBoundaries: +(dNear / nNear).toFixed(3), elsewhere: +(dFar / nFar).toFixed(3) },
  columnStep: { atBoundaryMax: +Math.max(...atBoundary).toFixed(3), allMedian: +sorted[sorted.length >> 1].toFixed(3), allP99: +sorted[Math.floor(sorted.length * 0.99)].toFixed(3) },
};
console.log(JSON.stringify(result, null, 1));
rmSync(dir, { recursive: true, force: true });
