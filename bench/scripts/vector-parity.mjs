// Parity of the vector-input pack (style files) with the weights-input pack it replaced, through
// the real engine and worker: the same photos, styles and blends rendered by both, every graph
// the CPU runs (int8 single pass for precision auto, float32 single pass and tiles for fp32),
// compared on the written 8-bit PNGs. The weights-input pack is read from git history.
// usage (after `npm run build:node`):
//   node bench/scripts/vector-parity.mjs [--rev 381af3e] [--edge 384] [--photos kodim01.png,kodim05.png,kodim23.png]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { Engine } from '../../dist/electron/engine/index.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const rev = opt('--rev', '381af3e');
const edge = Number(opt('--edge', '384'));
const kodak = path.resolve(root, '../shared/data/eval/kodak');
const photos = opt('--photos', 'kodim01.png,kodim05.png,kodim23.png')
  .split(',')
  .map((f) => path.join(kodak, f));
const styles = ['starry-night', 'udnie', 'starry-night-rhone', { 'starry-night': 0.5, 'great-wave': 0.5 }, { 'the-scream': 0.3, 'delaunay-metzinger': 0.7 }];
const dir = mkdtempSync(path.join(os.tmpdir(), 'pastiche-parity-'));

// The weights-input pack as it was at `rev`.
const oldDir = path.join(dir, 'old-models');
mkdirSync(oldDir);
const oldManifest = execFileSync('git', ['show', `${rev}:models/manifest.json`], { cwd: root, maxBuffer: 1 << 26 });
writeFileSync(path.join(oldDir, 'manifest.json'), oldManifest);
const entry = JSON.parse(oldManifest.toString()).models[0];
for (const f of [entry.file, ...Object.values(entry.variants).map((v) => v.file)]) {
  writeFileSync(path.join(oldDir, f), execFileSync('git', ['show', `${rev}:models/${f}`], { cwd: root, maxBuffer: 1 << 26 }));
}

const inputs = [];
for (const p of photos) {
  const f = path.join(dir, `in-${path.basename(p)}`);
  await sharp(p).resize({ width: edge, height: edge, fit: 'inside' }).png().toFile(f);
  inputs.push(f);
}

const modes = [
  { name: 'int8 (auto, CPU)', precision: 'auto', tilePixels: 1e12 },
  { name: 'fp32 single', precision: 'fp32', tilePixels: 1e12 },
  { name: 'fp32 tiles', precision: 'fp32', tilePixels: 65_536 },
];
const rows = [];
// The float32 single-pass rendering of the vector pack: how far each reduced-precision output is from it.
const reference = await Engine.create({ modelsDir: path.join(root, 'models'), userStylesDir: null, device: 'cpu', precision: 'fp32', tilePixels: 1e12 });
for (const mode of modes) {
  const engines = await Promise.all(
    [oldDir, path.join(root, 'models')].map((modelsDir) => Engine.create({ modelsDir, userStylesDir: null, device: 'cpu', precision: mode.precision, tilePixels: mode.tilePixels })),
  );
  try {
    for (const style of styles) {
      let max = 0,
        sum = 0,
        n = 0,
        identical = 0,
        over3 = 0,
        oldRef = 0,
        newRef = 0;
      for (const input of inputs) {
        const out = [];
        for (const [i, e] of engines.entries()) {
          const o = path.join(dir, `${i}-${path.basename(input)}`);
          const r = await e.stylizeFile(input, { outputPath: o }, { style, format: 'png', keepMetadata: false });
          if (r.status !== 'ok') throw new Error(r.error);
          out.push(await sharp(o).raw().toBuffer());
        }
        const ro = path.join(dir, `ref-${path.basename(input)}`);
        await reference.stylizeFile(input, { outputPath: ro }, { style, format: 'png', keepMetadata: false });
        const ref = await sharp(ro).raw().toBuffer();
        const [a, b] = out;
        for (let k = 0; k < a.length; k++) {
          oldRef += Math.abs(a[k] - ref[k]);
          newRef += Math.abs(b[k] - ref[k]);
          if (k % 3 === 0 && Math.max(Math.abs(a[k] - b[k]), Math.abs(a[k + 1] - b[k + 1]), Math.abs(a[k + 2] - b[k + 2])) > 3) over3++;
        }
        let same = true;
        for (let k = 0; k < a.length; k++) {
          const d = Math.abs(a[k] - b[k]);
          if (d) same = false;
          max = Math.max(max, d);
          sum += d;
        }
        n += a.length;
        if (same) identical++;
      }
      const row = {
        mode: mode.name,
        style:
          typeof style === 'string'
            ? style
            : Object.entries(style)
                .map(([k, w]) => `${w} ${k}`)
                .join(' + '),
        maxAbsDiff: max,
        meanAbsDiff: Number((sum / n).toFixed(5)),
        identical: `${identical} of ${inputs.length}`,
        pixelsOver3: `${((100 * over3) / (n / 3)).toFixed(2)}%`,
        oldVsFp32: Number((oldRef / n).toFixed(3)),
        newVsFp32: Number((newRef / n).toFixed(3)),
      };
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }
}
await reference.close();
console.log(`\n| graph | style | max | mean | identical photos | pixels moved > 3 | old / new mean to fp32 |\n| --- | --- | --- | --- | --- | --- | --- |`);
for (const r of rows) console.log(`| ${r.mode} | ${r.style} | ${r.maxAbsDiff} | ${r.meanAbsDiff} | ${r.identical} | ${r.pixelsOver3} | ${r.oldVsFp32} / ${r.newVsFp32} |`);
rmSync(dir, { recursive: true, force: true });
