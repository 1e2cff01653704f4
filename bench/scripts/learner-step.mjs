// Step time of the engine's learner (electron/worker/learn-job.ts: a crop from the training photos
// with sharp, the learning graph's loss and gradient on the worker's onnxruntime thread, Adam and
// the clamp) against the PyTorch learner's (bench/scripts/learn-step.py: step_loss, backward, Adam),
// same machine, same run, rounds alternating so that load from other processes falls on both.
//
//   npm run build:node && node bench/scripts/learner-step.mjs [--steps 8] [--rounds 3] [--threads 2]
//
// Prints each round's medians, then one JSON line {tsMs, torchMs, ratio, maxRssMiB, ...}: medians over
// all timed steps (2 warm-up steps per round left out on both sides).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (m) => import(path.join(ROOT, 'dist', 'electron', m));
const { Adam, clampScale } = await dist('common/adam.js');
const { ContentCrops, Rng } = await dist('imaging/learn-crops.js');
const { materializeGraphs } = await dist('worker/learn-graph.js');
const { GraphRunner, learnStep, paintingGrams } = await dist('worker/learn-job.js');
const { startOrtHost } = await dist('worker/ort-host.js');
const { SessionCache } = await dist('worker/session-cache.js');

const { values: a } = parseArgs({
  options: { steps: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, threads: { type: 'string', default: String(os.availableParallelism()) } },
});
const steps = Number(a.steps);
const threads = Number(a.threads);
const shared = process.env.PASTICHE_SHARED_DIR ? path.resolve(process.env.PASTICHE_SHARED_DIR) : path.resolve(ROOT, '..', 'shared', 'data');
const models = path.join(ROOT, 'models');
const learn = JSON.parse(readFileSync(path.join(models, 'manifest.json'), 'utf8')).models.find((m) => m.learn).learn;
const ref = (r) => ({ path: path.join(models, r.file), sha256: r.sha256, bytes: r.bytes });
const cache = path.join(os.tmpdir(), 'pastiche-bench-learn');
const [learnFile, gramsFile] = await materializeGraphs([ref(learn.graph), ref(learn.grams)], path.join(shared, 'vgg19'), cache, learn.vgg);
const files = { learn: learnFile, grams: gramsFile };

// The onnxruntime thread is unref'd (the worker's IPC channel keeps that process alive): keep this one up.
const keepAlive = setInterval(() => undefined, 1 << 30);
const { host } = await startOrtHost();
const ctx = { sessions: new SessionCache(host, 0), gpus: [], failed: new Map(), errorLine: (e) => String(e?.message ?? e) };
const job = { painting: path.join(shared, 'styles', 'cezanne.jpg'), settings: learn, device: 'cpu', threads };
const grams = await paintingGrams(ctx, files.grams, job);
const photos = await ContentCrops.load(path.join(shared, 'content', 'open'), learn.crop);
const vec0 = Float32Array.from(JSON.parse(readFileSync(path.join(models, 'styles', 'udnie.json'), 'utf8')).vector);
const weights = Float32Array.from(learn.lossWeights);
const recipe = { crop: learn.crop, minScale: learn.crops.minScale, flip: learn.crops.flip };
const g = new GraphRunner(ctx, files.learn, 'cpu', threads);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

const tsMs = [];
const torchMs = [];
for (let r = 0; r < Number(a.rounds); r++) {
  const vec = Float32Array.from(vec0);
  const opt = new Adam(vec, { lr: learn.lr, ...learn.adam });
  const rng = new Rng(r);
  const times = [];
  for (let i = 0; i < steps + 2; i++) {
    const t0 = performance.now();
    const x = await photos.batch(rng, learn.batch, recipe);
    const s = await learnStep(g, grams, weights, x, learn.crop, vec);
    opt.step(s.grad);
    clampScale(vec, learn.scaleMin);
    times.push(performance.now() - t0);
  }
  tsMs.push(...times.slice(2));
  const py = spawnSync('/usr/bin/python3', [path.join(ROOT, 'bench', 'scripts', 'learn-step.py'), '--steps', String(steps), '--rounds', '1', '--threads', String(threads)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (py.status !== 0) throw new Error(`learn-step.py failed: ${py.stderr.slice(-2000)}`);
  const res = JSON.parse(py.stdout.trim().split('\n').at(-1));
  torchMs.push(res.torchMs);
  console.log(`round ${r + 1}: engine learner ${median(times.slice(2)).toFixed(0)} ms, torch ${res.torchMs.toFixed(0)} ms (median of ${steps})`);
}
const ts = median(tsMs);
const torch = median(torchMs);
console.log(
  JSON.stringify({
    crop: learn.crop,
    batch: learn.batch,
    threads,
    steps: tsMs.length,
    tsMs: Math.round(ts * 10) / 10,
    torchMs: Math.round(torch * 10) / 10,
    ratio: Math.round((ts / torch) * 1000) / 1000,
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);
await ctx.sessions.releaseIdle();
clearInterval(keepAlive);
process.exit(0);
