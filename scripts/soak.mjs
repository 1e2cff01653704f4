#!/usr/bin/env node
// Memory soak: N small photos through ONE inference worker, sampling the worker's resident set
// (VmRSS) and peak (VmHWM) from /proc every K files. A leak shows up as a peak that keeps
// climbing; a healthy worker plateaus after warm-up.
//
//   node scripts/soak.mjs [--files 1000] [--every 100] [--size 64] [--json]
//
// Needs `npm run build:node` (runs the compiled engine in dist/) and Linux (/proc).
// Models: PASTICHE_MODELS_DIR, else test/fixtures/models.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '1000' },
    every: { type: 'string', default: '100' },
    size: { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const N = Number(values.files);
const every = Number(values.every);
const side = Number(values.size);
const { Engine } = await import(path.join(root, 'dist/electron/engine/index.js'));

function mem(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

const work = mkdtempSync(path.join(os.tmpdir(), 'pastiche-soak-'));
const inDir = path.join(work, 'in');
const outDir = path.join(work, 'out');
mkdirSync(inDir);
mkdirSync(outDir);
const t0 = performance.now();
// Distinct photos (different content, a few sizes around `side`) so nothing is cached.
for (let i = 0; i < N; i++) {
  const w = side + (i % 3) * 4;
  const h = side - (i % 2) * 8;
  const raw = Buffer.alloc(w * h * 3);
  let s = i * 7919 + 1;
  for (let k = 0; k < raw.length; k++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    raw[k] = ((k % (w * 3)) + (s >> 16)) & 0xff;
  }
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toFile(path.join(inDir, `p${String(i).padStart(5, '0')}.jpg`));
}
const genMs = performance.now() - t0;

const engine = await Engine.create({
  modelsDir: process.env.PASTICHE_MODELS_DIR ?? path.join(root, 'test/fixtures/models'),
  device: 'cpu',
});
const samples = [];
const pids = new Set();
let tStart = 0;
try {
  tStart = performance.now();
  const report = await engine.runBatch([inDir], outDir, { format: 'jpg' }, (p) => {
    const pid = engine.workerPid;
    if (pid) pids.add(pid);
    if (p.current === null && p.done > 0 && (p.done % every === 0 || p.done === p.total)) {
      const m = mem(pid);
      if (m) samples.push({ files: p.done, rssMiB: +(m.rss / 2 ** 20).toFixed(1), peakMiB: +(m.hwm / 2 ** 20).toFixed(1), s: +((performance.now() - tStart) / 1000).toFixed(1) });
    }
  });
  const wallS = (performance.now() - tStart) / 1000;
  const ok = report.files.filter((f) => f.status === 'ok').length;
  const failed = report.files.filter((f) => f.status !== 'ok').map((f) => `${f.input}: ${f.error}`);
  // Plateau: peak growth over the last third of the run.
  const third = samples.filter((x) => x.files >= (2 * N) / 3);
  const lastThirdGrowthMiB = third.length ? +(samples.at(-1).peakMiB - third[0].peakMiB).toFixed(1) : null;
  const result = {
    files: N,
    ok,
    failed,
    workers: pids.size,
    wallS: +wallS.toFixed(1),
    filesPerS: +(N / wallS).toFixed(1),
    generateS: +(genMs / 1000).toFixed(1),
    lastThirdGrowthMiB,
    samples,
  };
  if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    console.log(`${N} photos (${side}px) through ${pids.size} worker(s): ${ok} ok, ${failed.length} failed, ${result.wallS}s (${result.filesPerS} files/s)`);
    console.log('| files | worker RSS (MiB) | worker peak RSS (MiB) | elapsed (s) |');
    console.log('| ---: | ---: | ---: | ---: |');
    for (const x of samples) console.log(`| ${x.files} | ${x.rssMiB} | ${x.peakMiB} | ${x.s} |`);
    console.log(`peak growth over the last third: ${lastThirdGrowthMiB} MiB`);
  }
} finally {
  await engine.close();
  if (!values.keep) rmSync(work, { recursive: true, force: true });
}
