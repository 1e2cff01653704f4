// The preview the user waits for, right after selecting a photo while the style strip is pending:
// the app's order of work on a ~10 MP photo. The strip's 16 thumbnails are asked for one at a time
// (as electron/services/style-thumbs.ts does) while the preview renders fast (512 px) then refined
// (1080 px). Prints the time to each preview and to the whole strip.
// usage: node bench/scripts/preview-priority.mjs [photo] [--dist dist] [--mp 10.7] [--brush 1024] [--no-strip]
// (`--dist` another build's dist folder: the same measurement of an older build)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { benchArgs, scalePhoto } from './bench-setup.mjs';

const { args, opt, src } = benchArgs();
const dist = path.resolve(opt('--dist', 'dist'));
const mp = Number(opt('--mp', '10.7'));
const brush = Number(opt('--brush', '1024'));
const { Engine } = await import(pathToFileURL(path.join(dist, 'electron/engine/index.js')).href);
const dir = mkdtempSync(path.join(os.tmpdir(), 'pastiche-prio-'));

try {
  const photo = await scalePhoto(src, mp, path.join(dir, 'photo.jpg'));
  const pm = await sharp(photo).metadata();
  const engine = await Engine.create({ device: 'cpu', workerPath: path.join(dist, 'electron/worker/inference-worker.js') });
  try {
    const styles = engine
      .styles()
      .slice(0, 16)
      .map((s) => s.id);
    await engine.warmup(styles[0]);
    const base = { exportSize: 'original', brush, brushChosen: false, format: 'jpg', quality: 85, keepMetadata: false, stripGps: false };
    const t0 = performance.now();
    const at = () => Math.round(performance.now() - t0);
    // The strip: one thumbnail at a time, the crop of the brush pass's scale (style-thumbs.ts).
    const strip = (async () => {
      if (args.includes('--no-strip')) return 0;
      for (const style of styles) await engine.preview(photo, { ...base, style, size: 256, strength: 1, preserveColors: false, crop: { width: 256, height: 192 } });
      return at();
    })();
    // The pane's debounce before its first render.
    await new Promise((r) => setTimeout(r, 120));
    const opts = { ...base, style: styles[0], strength: 1, preserveColors: false };
    await engine.preview(photo, { ...opts, size: 512 });
    const fast = at();
    await engine.preview(photo, { ...opts, size: 1080 });
    const refined = at();
    const stripMs = await strip;
    console.log(
      `${path.relative(process.cwd(), dist) || dist}: ${pm.width}x${pm.height} (${(((pm.width ?? 0) * (pm.height ?? 0)) / 1e6).toFixed(1)} MP), brush ${brush}, ${args.includes('--no-strip') ? 'no' : styles.length} thumbnails pending`,
    );
    console.log(`  fast preview ${fast} ms, refined preview ${refined} ms, strip done ${stripMs} ms`);
  } finally {
    await engine.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
