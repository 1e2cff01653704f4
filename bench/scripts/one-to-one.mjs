// The 1:1 view against its targets (docs/performance.md): on a 24 MP photo (a highres eval photo
// enlarged with sharp when none is that large), the time to the first 1,200x700 region (decode and
// passes included), to a region once the passes are kept, and to panned regions; then how far each
// region is from the same crop of the exported PNG (mean |diff| of 0-255, target <= 2).
// usage: node bench/scripts/one-to-one.mjs [photo] [--brush 1024|native] [--style id] [--mp 24] [--no-export]
// (run `npm run build:node` first)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Engine } from '../../dist/electron/engine/index.js';
import { benchArgs, scalePhoto } from './bench-setup.mjs';

const { args, opt, src } = benchArgs();
const brushArg = opt('--brush', '1024');
const brush = brushArg === 'native' ? 'native' : Number(brushArg);
const style = opt('--style', 'starry-night');
const mp = Number(opt('--mp', '24'));
const dir = mkdtempSync(path.join(os.tmpdir(), 'pastiche-1to1-'));

try {
  const meta = await sharp(src).metadata();
  const photo = (meta.width ?? 0) * (meta.height ?? 0) < mp * 0.95e6 ? await scalePhoto(src, mp, path.join(dir, 'photo.jpg')) : src;
  const pm = await sharp(photo).metadata();
  console.log(`photo ${path.basename(src)} ${pm.width}x${pm.height} (${(((pm.width ?? 0) * (pm.height ?? 0)) / 1e6).toFixed(1)} MP), brush ${brush}, style ${style}, ${os.cpus().length} CPUs`);
  const engine = await Engine.create({ device: 'cpu' });
  try {
    await engine.warmup(style);
    const opts = { style, exportSize: 'original', brush, strength: 1, preserveColors: false };
    const W = pm.width ?? 0;
    const H = pm.height ?? 0;
    const rects = [
      { x: Math.round(W / 2 - 600), y: Math.round(H / 2 - 350), width: 1200, height: 700 },
      { x: Math.round(W / 2 - 300), y: Math.round(H / 2 - 350), width: 1200, height: 700 },
      { x: 0, y: 0, width: 1200, height: 700 },
      { x: W - 1200, y: H - 700, width: 1200, height: 700 },
    ];
    const regions = [];
    for (const [i, rect] of rects.entries()) {
      const t0 = performance.now();
      const r = await engine.region(photo, { ...opts, rect });
      const ms = Math.round(performance.now() - t0);
      console.log(`${i === 0 ? 'first ' : i === 1 ? 'cached' : 'pan   '} region ${rect.width}x${rect.height} at (${rect.x}, ${rect.y}): ${ms} ms (worker ${r.ms} ms, passes kept: ${r.cached})`);
      regions.push({ rect: r.rect, data: r.data, ms, cached: r.cached });
    }
    if (!args.includes('--no-export')) {
      const out = path.join(dir, 'export.png');
      const t0 = performance.now();
      const f = await engine.stylizeFile(photo, { outputPath: out }, { style, size: 'original', brush, format: 'png', keepMetadata: false });
      if (f.status !== 'ok') throw new Error(f.error);
      console.log(`export ${Math.round(performance.now() - t0)} ms`);
      const full = await sharp(out).raw().toBuffer({ resolveWithObject: true });
      for (const r of regions) {
        const view = await sharp(r.data).raw().toBuffer();
        const c = full.info.channels;
        let sum = 0;
        let max = 0;
        for (let y = 0; y < r.rect.height; y++) {
          for (let x = 0; x < r.rect.width; x++) {
            for (let k = 0; k < 3; k++) {
              const d = Math.abs(full.data[((r.rect.y + y) * full.info.width + r.rect.x + x) * c + k] - view[(y * r.rect.width + x) * 3 + k]);
              sum += d;
              if (d > max) max = d;
            }
          }
        }
        console.log(`region at (${r.rect.x}, ${r.rect.y}) vs export crop: mean |diff| ${(sum / (r.rect.width * r.rect.height * 3)).toFixed(3)}, max ${max}`);
      }
    }
  } finally {
    await engine.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
