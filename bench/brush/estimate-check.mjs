// The app's export estimate against a real export of the same photo, on this machine: a
// preview as the app makes it (fast 512, then the refined one at the preview size, both standing
// for the export), the estimate from renderer/src/lib/estimate.ts on those previews' timings, then
// the export itself (Engine.stylizeFile, default JPEG q92), and the estimate again with the
// export's own timings learned (what the app shows for the next export).
//
// usage (after `npm run build:node`): node bench/brush/estimate-check.mjs PHOTO [--brush 1024] [--preview 1080] [--size original]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { Engine } from '../../dist/electron/engine/index.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const photo = path.resolve(args[0]);
const brush = opt('--brush', '1024') === 'native' ? 'native' : Number(opt('--brush', '1024'));
const previewSize = Number(opt('--preview', '1080'));
const exportSize = opt('--size', 'original') === 'original' ? 'original' : Number(opt('--size', 'original'));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'pastiche-estimate-'));
// The renderer's estimate module, as the app runs it (bundled from TypeScript).
await build({ entryPoints: [path.join(root, 'renderer/src/lib/estimate.ts')], bundle: true, format: 'esm', platform: 'node', outfile: path.join(tmp, 'estimate.mjs'), logLevel: 'error' });
const { estimate, learnRates, NO_RATES, formatMs } = await import(path.join(tmp, 'estimate.mjs'));
const engine = await Engine.create({ device: 'cpu' });
try {
  const style = 'starry-night';
  const base = { style, exportSize, brush, strength: 1, preserveColors: false, format: 'jpg', quality: 85, keepMetadata: false, stripGps: true };
  let rates = NO_RATES;
  let last;
  for (const size of [Math.min(512, previewSize), previewSize]) {
    last = await engine.preview(photo, { ...base, size });
    rates = learnRates(rates, last.timings);
  }
  const before = estimate(last.exportPlan, last.sourceWidth, last.sourceHeight, rates, last.limits);
  const out = path.join(tmp, 'export.jpg');
  const t0 = performance.now();
  const r = await engine.stylizeFile(photo, { outputPath: out }, { style, size: exportSize, brush });
  const actual = performance.now() - t0;
  if (r.status !== 'ok') throw new Error(r.error);
  const after = estimate(last.exportPlan, last.sourceWidth, last.sourceHeight, learnRates(rates, r.timings), last.limits);
  console.log(JSON.stringify({
    photo: path.basename(photo), size: `${last.exportPlan.width}x${last.exportPlan.height}`, brush, mode: last.exportPlan.mode,
    passes: before.passes.map((p) => `${p.kind} ${p.width}x${p.height}${p.tiled ? ' tiled' : ''}`),
    estimateFromPreviewsMs: Math.round(before.ms), actualMs: Math.round(actual), ratio: +(before.ms / actual).toFixed(3),
    estimateAfterExportMs: Math.round(after.ms), shown: formatMs(before.ms), rates,
  }));
} finally {
  await engine.close();
  rmSync(tmp, { recursive: true, force: true });
}
