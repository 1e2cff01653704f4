// onnxruntime-node WebGPU timings for the device machine (bench/device/run.sh), runnable anywhere.
//
//   node bench/device/ort-gpu.mjs --out ort-gpu.json
//
// Every configuration runs in its own child process (`--child <json>`), so a native abort in
// onnxruntime/Dawn (seen with preferredOutputLocation 'gpu-buffer') only ends that child; the parent
// records its exit code or signal and the tail of its stderr, and rewrites the JSON after each one.
//
// Time per run = wall time of `await session.run(feeds)` (CPU Float32Array in, CPU tensors out, so
// input upload and output download are included), median of ORT_GPU_RUNS after ORT_GPU_WARMUPS.
// With preferredOutputLocation 'gpu-buffer' the outputs stay on the GPU: run_ms is the run alone and
// total_ms adds `tensor.getData(true)` (download + release) for each output.
// 4K: the single pass first (may exceed the adapter's buffer limits: the error is recorded), then
// the app's tiled path: a stats pass at long edge 1024 with the full model, then 6 tiles of
// 1448x1448 with the -tiles model (tilePixels 2.1 MP, overlap = receptive field 58 -> 60), the
// tile crops included, the cross-fade blending not.
//
// Node binding facts (onnxruntime-node 1.30, js/node/src/session_options_helper.cc and the
// binary's strings): the webgpu EP object accepts preferredLayout, validationMode,
// storageBufferCacheMode, uniformBufferCacheMode, queryResolveBufferCacheMode,
// defaultBufferCacheMode, enableRobustness, forceCpuNodeNames (others, deviceId too, throw "WebGPU EP
// has an unrecognized option"). preferredOutputLocation is parsed. enableGraphCapture and
// freeDimensionOverrides are NOT parsed by the Node binding (silently ignored); graph capture
// reaches the EP as the config entry 'ep.webgpuexecutionprovider.enableGraphCapture' = '1' through
// `extra`, and fixed sizes are tried with fixed-shape copies of the model (bench/device/fix_shapes.py,
// ORT_GPU_FIXED_DIR) as well as with the (ignored) freeDimensionOverrides.
//
// Env: ORT_NODE_DIR (onnxruntime-node package dir; default: resolve 'onnxruntime-node'),
// ORT_GPU_RUNS (10), ORT_GPU_WARMUPS (3), ORT_GPU_BUDGET_S (300: configs not started by then are
// recorded as skipped), ORT_GPU_CHILD_TIMEOUT_S (60), ORT_GPU_FIXED_DIR, ORT_GPU_ONLY (comma list
// of config ids), ORT_GPU_QUICK=1 (1 run, 0 warm-ups, 1080p only: for a CPU-only smoke test),
// ORT_GPU_SIZE (360p: the "1080p" configurations at 640x360), ORT_GPU_ABORTING=1 (add the
// gpu-buffer output configurations, which abort).
//
// Without a GPU: Mesa's software Vulkan driver (scripts/setup-system.sh, PASTICHE_SOFTWARE_GPU=1)
// runs every configuration for real, slowly:
//   ORT_GPU_QUICK=1 ORT_GPU_SIZE=360p ORT_GPU_CHILD_TIMEOUT_S=120 ORT_GPU_BUDGET_S=1500 node bench/device/ort-gpu.mjs
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// onnxruntime's telemetry off before the first session (electron/worker/no-telemetry.ts says why).
process.env.ORT_DISABLE_TELEMETRY = '1';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const env = process.env;
const QUICK = env.ORT_GPU_QUICK === '1';
const RUNS = Number(env.ORT_GPU_RUNS ?? (QUICK ? 1 : 10));
const WARMUPS = Number(env.ORT_GPU_WARMUPS ?? (QUICK ? 0 : 3));
const BUDGET_S = Number(env.ORT_GPU_BUDGET_S ?? 300);
const CHILD_TIMEOUT_S = Number(env.ORT_GPU_CHILD_TIMEOUT_S ?? 60);

// The engine's own tile planner (built JS; carried to the GPU machine by prepare-carry.sh).
const { planAxis } = await import(pathToFileURL(env.ORT_GPU_TILING ?? path.join(root, 'dist/electron/imaging/tiling.js')).href);

const MODELS = {
  pack16: { full: 'models/pastiche-pack16-vec.onnx', tiles: 'models/pastiche-pack16-vec-tiles.onnx', vector: 'models/styles/starry-night.json' },
  // The CPU's single-pass graph (fused InstanceNormalization, no stats output), for comparison.
  'pack16-single': { full: 'models/pastiche-pack16-vec-single.onnx', tiles: 'models/pastiche-pack16-vec-tiles.onnx', vector: 'models/styles/starry-night.json' },
  'pack16-fp16': { full: 'models/pastiche-pack16-vec-fp16.onnx', tiles: 'models/pastiche-pack16-vec-fp16-tiles.onnx', vector: 'models/styles/starry-night.json' },
  reference: { full: 'bench/models/reference-w32.onnx', tiles: 'bench/models/reference-w32-tiles.onnx', styles: 0 },
};
const SIZES = { '1080p': [1920, 1080], '4k': [3840, 2160], '360p': [640, 360] };
// The size of the 1080p configurations; ORT_GPU_SIZE=360p makes a smoke run on a software adapter bearable.
const MAIN = env.ORT_GPU_SIZE ?? '1080p';
if (!SIZES[MAIN]) throw new Error(`ORT_GPU_SIZE must be one of ${Object.keys(SIZES).join(', ')}`);
const TILE_PIXELS = 3_000_000, STATS_EDGE = 1024, RECEPTIVE_FIELD = 58, MULTIPLE_OF = 4;

function loadOrt() {
  const require = createRequire(import.meta.url);
  return require(env.ORT_NODE_DIR ? path.resolve(env.ORT_NODE_DIR) : 'onnxruntime-node');
}

/** One line of an ORT error, without the C++ source location and assertion (as in the worker). */
const firstLine = (e) => String(e instanceof Error ? e.message : e).split('\n')[0].trim()
  .replace(/^\S+\.(?:cc|cpp|h):\d+\s+.*?\s(?:was false\.|failed\.)\s*/, '').slice(0, 400);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length ? s[Math.floor(s.length / 2)] : null; };
const r2 = (x) => (x == null ? null : Math.round(x * 100) / 100);

// ---- child: one configuration ----------------------------------------------------------------

/** Same texture as `pastiche bench`, as float32 NCHW 0-255. */
function image(w, h) {
  const plane = w * h, x = new Float32Array(3 * plane);
  for (let y = 0, i = 0; y < h; y++) {
    for (let xx = 0; xx < w; xx++, i++) {
      x[i] = Math.floor((xx * 255) / w);
      x[plane + i] = Math.floor((y * 255) / h);
      x[2 * plane + i] = (xx * 7 + y * 13) & 255;
    }
  }
  return x;
}

function crop(src, W, H, x0, y0, w, h) {
  const out = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      const s = c * W * H + (y0 + y) * W + x0;
      out.set(src.subarray(s, s + w), c * w * h + y * w);
    }
  }
  return out;
}

/** Nearest-neighbour downscale (the stats pass only needs a representative image). */
function downscale(src, W, H, w, h) {
  const out = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      const sy = Math.floor((y * H) / h);
      for (let x = 0; x < w; x++) out[c * w * h + y * w + x] = src[c * W * H + sy * W + Math.floor((x * W) / w)];
    }
  }
  return out;
}

async function child(cfg) {
  const t0 = performance.now();
  const res = { id: cfg.id, phase: 'load-ort' };
  const emit = () => process.stdout.write(`RESULT ${JSON.stringify(res)}\n`);
  // A JS exception anywhere still reports what was measured so far.
  process.on('uncaughtException', (e) => { res.error = firstLine(e); emit(); process.exit(3); });
  const ort = loadOrt();
  res.ort = ort.env.versions;
  const m = MODELS[cfg.model];
  const [W, H] = SIZES[cfg.size];
  // The pack's graphs take a style's vector (its style file); models without a style input, nothing.
  const vec = m.vector ? Float32Array.from(JSON.parse(readFileSync(m.vector, 'utf8')).vector) : null;
  const style = vec ? { style_vector: new ort.Tensor('float32', vec, [1, vec.length]) } : {};
  const ep = cfg.provider === 'webgpu' && cfg.ep ? { name: 'webgpu', ...cfg.ep } : cfg.provider;
  const opts = { executionProviders: [ep], graphOptimizationLevel: 'all', ...(cfg.session ?? {}) };
  if (cfg.provider === 'cpu') Object.assign(opts, { intraOpNumThreads: os.availableParallelism(), interOpNumThreads: 1, executionMode: 'sequential', enableCpuMemArena: true, enableMemPattern: true });
  res.options = opts;
  const create = async (file) => {
    res.phase = `create ${path.basename(file)}`;
    const c0 = performance.now();
    const s = await ort.InferenceSession.create(path.resolve(root, file), opts);
    (res.create_ms ??= []).push(Math.round(performance.now() - c0));
    return s;
  };
  const readOutputs = async (out) => {
    // Outputs left on the GPU: download them (part of the end-to-end cost), then release.
    let dl = 0;
    for (const t of Object.values(out)) {
      if (t.location && t.location !== 'cpu') {
        res.output_location = t.location;
        const d0 = performance.now();
        await t.getData(true);
        dl += performance.now() - d0;
      }
    }
    return dl;
  };
  const full = cfg.fixedFile ?? m.full;
  const x = image(W, H);
  let step;
  if (cfg.mode === 'tiles') {
    const sFull = await create(m.full), sTiles = await create(m.tiles);
    const k = STATS_EDGE / Math.max(W, H);
    const sw = Math.round((W * k) / MULTIPLE_OF) * MULTIPLE_OF, sh = Math.round((H * k) / MULTIPLE_OF) * MULTIPLE_OF;
    const small = new ort.Tensor('float32', downscale(x, W, H, sw, sh), [1, 3, sh, sw]);
    const side = Math.floor(Math.sqrt(TILE_PIXELS));
    const cols = planAxis(W, side, RECEPTIVE_FIELD, MULTIPLE_OF), rows = planAxis(H, side, RECEPTIVE_FIELD, MULTIPLE_OF);
    res.tiles = { stats_pass: `${sw}x${sh}`, grid: `${cols.length}x${rows.length}`, tile: `${cols[0].length}x${rows[0].length}` };
    step = async () => {
      let runMs = 0, dl = 0;
      const a = performance.now();
      const so = await sFull.run({ input: small, ...style });
      runMs += performance.now() - a; dl += await readOutputs(so);
      const statsT = so.stats; // tiles configs keep outputs on the CPU
      for (const r of rows) {
        for (const c of cols) {
          const b = performance.now();
          const input = new ort.Tensor('float32', crop(x, W, H, c.start, r.start, c.length, r.length), [1, 3, r.length, c.length]);
          const o = await sTiles.run({ input, stats: statsT, ...style });
          runMs += performance.now() - b; dl += await readOutputs(o);
        }
      }
      return { runMs, dl, out: null };
    };
  } else {
    const s = await create(full);
    res.inputs = s.inputMetadata?.map((i) => `${i.name}:${i.type}[${i.shape}]`);
    const input = new ort.Tensor('float32', x, [1, 3, H, W]);
    const feeds = { input, ...style };
    step = async () => {
      const a = performance.now();
      const o = await s.run(feeds);
      const runMs = performance.now() - a;
      const dl = await readOutputs(o);
      return { runMs, dl, out: o.output };
    };
  }
  res.phase = 'first-run';
  const f = await step();
  res.first_run_ms = Math.round(f.runMs + f.dl);
  for (let i = 0; i < cfg.warmups; i++) { res.phase = `warm-up ${i}`; await step(); }
  const run = [], total = [];
  let last = f;
  for (let i = 0; i < cfg.runs; i++) {
    res.phase = `run ${i}`;
    last = await step();
    run.push(last.runMs); total.push(last.runMs + last.dl);
  }
  res.phase = 'done';
  res.runs = run.length;
  res.run_ms = run.map((v) => r2(v));
  res.median_ms = r2(median(total));
  res.min_ms = r2(total.length ? Math.min(...total) : null);
  if (res.output_location) res.median_run_only_ms = r2(median(run));
  // Cheap correctness check: a strided sample of the output, compared with the CPU run by the parent.
  const od = last.out && (last.out.location === 'cpu' || !last.out.location) ? last.out.data : null;
  if (od) {
    let sum = 0; for (let i = 0; i < od.length; i += 97) sum += od[i];
    res.out_mean_sampled = r2(sum / Math.ceil(od.length / 97));
    res.sample = Array.from({ length: 2000 }, (_, i) => od[Math.floor((i * od.length) / 2000)]);
  }
  res.seconds = r2((performance.now() - t0) / 1000);
  emit();
  process.exit(0);
}

// ---- parent: the plan ------------------------------------------------------------------------

function plan() {
  const fixedDir = env.ORT_GPU_FIXED_DIR;
  const base = { provider: 'webgpu', runs: RUNS, warmups: WARMUPS, mode: 'full' };
  const c = [];
  const add = (id, o) => c.push({ id, ...base, ...o });
  add(`cpu-pack16-${MAIN}`, { provider: 'cpu', model: 'pack16', size: MAIN, runs: Math.min(RUNS, 2), warmups: Math.min(WARMUPS, 1) });
  // The app's options (electron/worker/inference-worker.ts): executionProviders ['webgpu'], graphOptimizationLevel 'all'.
  for (const model of ['pack16', 'pack16-fp16', 'reference', 'pack16-single']) add(`webgpu-${model}-${MAIN}`, { model, size: MAIN });
  if (!QUICK) {
    for (const model of ['pack16', 'pack16-fp16', 'reference']) {
      add(`webgpu-${model}-4k-single`, { model, size: '4k' });
      add(`webgpu-${model}-4k-tiles`, { model, size: '4k', mode: 'tiles' });
    }
  }
  const variants = [
    ['nchw', { ep: { preferredLayout: 'NCHW' } }],
    ['nhwc', { ep: { preferredLayout: 'NHWC' } }],
    ['no-cpu-fallback', { session: { extra: { session: { disable_cpu_ep_fallback: '1' } } } }],
    ['graph-capture-ep', { session: { extra: { ep: { webgpuexecutionprovider: { enableGraphCapture: '1' } } } } }],
    ['graph-capture-toplevel', { session: { enableGraphCapture: true } }],
    ['free-dim-overrides', { session: { freeDimensionOverrides: { height: 1080, width: 1920 } } }],
    ['fixed-shape-model', {}],
    ['validation-disabled', { ep: { validationMode: 'disabled' } }],
    ['storage-cache-simple', { ep: { storageBufferCacheMode: 'simple' } }],
  ];
  // GPU-resident outputs abort the process in onnxruntime-node 1.30's binding ("terminate called
  // after throwing an instance of 'char const*'", SIGABRT before the first result), on the H200
  // and on Mesa's software adapter alike: not worth device time unless asked for.
  if (env.ORT_GPU_ABORTING === '1') {
    variants.push(
      ['out-gpu-buffer', { session: { preferredOutputLocation: 'gpu-buffer' } }],
      ['out-gpu-buffer-output-only', { session: { preferredOutputLocation: { output: 'gpu-buffer' } } }],
      ['graph-capture-ep+out-gpu', { session: { preferredOutputLocation: 'gpu-buffer', extra: { ep: { webgpuexecutionprovider: { enableGraphCapture: '1' } } } } }],
    );
  }
  for (const [name, v] of variants) {
    for (const model of ['pack16', 'pack16-fp16']) {
      const o = { model, size: MAIN, variant: name, ...v };
      if (name === 'fixed-shape-model') {
        const f = fixedDir && path.join(fixedDir, `${path.basename(MODELS[model].full, '.onnx')}-${SIZES[MAIN].join('x')}.onnx`);
        if (!f || !existsSync(f)) { c.push({ id: `webgpu-${model}-${MAIN}-${name}`, skip: `no fixed-shape model (ORT_GPU_FIXED_DIR=${fixedDir ?? ''}; needs python onnx)` }); continue; }
        o.fixedFile = f;
      }
      add(`webgpu-${model}-${MAIN}-${name}`, o);
    }
  }
  if (!QUICK) {
    for (const model of ['pack16', 'pack16-fp16']) {
      add(`webgpu-${model}-4k-tiles-nhwc`, { model, size: '4k', mode: 'tiles', ep: { preferredLayout: 'NHWC' }, variant: 'nhwc' });
      add(`webgpu-${model}-4k-tiles-nchw`, { model, size: '4k', mode: 'tiles', ep: { preferredLayout: 'NCHW' }, variant: 'nchw' });
    }
  }
  const only = env.ORT_GPU_ONLY?.split(',').filter(Boolean);
  return only ? c.filter((x) => only.includes(x.id)) : c;
}

function runChild(cfg) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', timedOut = false;
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; if (err.length > 200_000) err = err.slice(-20_000); });
    const timer = setTimeout(() => { timedOut = true; p.kill('SIGKILL'); }, CHILD_TIMEOUT_S * 1000);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').reverse().find((l) => l.startsWith('RESULT '));
      let r = { id: cfg.id };
      if (line) { try { r = JSON.parse(line.slice(7)); } catch (e) { r.parse_error = firstLine(e); } }
      r.config = { model: cfg.model, size: cfg.size, mode: cfg.mode, provider: cfg.provider, variant: cfg.variant ?? 'app-default', ep: cfg.ep, session: cfg.session, fixedFile: cfg.fixedFile };
      r.exit = { code, signal, timed_out: timedOut, wall_s: r2((performance.now() - t0) / 1000) };
      r.ok = code === 0 && r.phase === 'done';
      if (!r.ok) {
        const tail = err.trim().split('\n').slice(-6).join('\n');
        r.error ??= timedOut ? `timed out after ${CHILD_TIMEOUT_S} s in phase ${r.phase ?? '?'}` : (signal ? `killed by ${signal}` : `exit ${code}`) + ` in phase ${r.phase ?? 'start'}`;
        if (tail) r.stderr_tail = tail.slice(-1500);
      }
      resolve(r);
    });
  });
}

async function parent() {
  const outFile = (() => { const i = process.argv.indexOf('--out'); return i > 0 ? process.argv[i + 1] : 'ort-gpu.json'; })();
  const t0 = performance.now();
  const report = {
    started: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.availableParallelism(),
    settings: { runs: RUNS, warmups: WARMUPS, budget_s: BUDGET_S, child_timeout_s: CHILD_TIMEOUT_S, quick: QUICK },
    timing: 'median wall ms of await session.run() with CPU input and CPU outputs (upload + download included); gpu-buffer outputs add getData(true)',
    results: [],
  };
  try {
    const ort = loadOrt();
    report.ort = ort.env.versions;
    report.backends = ort.listSupportedBackends();
  } catch (e) { report.ort_load_error = firstLine(e); }
  const save = () => {
    report.seconds = r2((performance.now() - t0) / 1000);
    const slim = { ...report, results: report.results.map(({ sample, ...r }) => r) };
    writeFileSync(outFile, JSON.stringify(slim, null, 1));
  };
  let cpuSample = null;
  const failed4kSingle = new Set();
  for (const cfg of plan()) {
    if (cfg.skip) { report.results.push({ id: cfg.id, ok: false, skipped: cfg.skip }); save(); continue; }
    if ((performance.now() - t0) / 1000 > BUDGET_S) { report.results.push({ id: cfg.id, ok: false, skipped: `budget ${BUDGET_S} s spent` }); save(); continue; }
    const r = await runChild(cfg);
    if (cfg.id.startsWith('cpu-') && r.sample) cpuSample = r.sample;
    else if (r.sample && cpuSample && cfg.size === MAIN && cfg.model !== 'reference') {
      // Style 0, same input: WebGPU vs CPU on 2,000 evenly spaced output values (0-255 scale).
      let mx = 0, sum = 0;
      for (let i = 0; i < r.sample.length; i++) { const d = Math.abs(r.sample[i] - cpuSample[i]); mx = Math.max(mx, d); sum += d; }
      r.vs_cpu_sampled = { max_abs_diff: r2(mx), mean_abs_diff: r2(sum / r.sample.length) };
    }
    if (cfg.id.endsWith('-4k-single') && !r.ok) failed4kSingle.add(cfg.model);
    if (cfg.id.endsWith('-4k-tiles') && failed4kSingle.has(cfg.model)) r.note = 'single 4K pass failed (see -4k-single); tiles are the fallback';
    report.results.push(r);
    const brief = r.ok ? `median ${r.median_ms} ms (min ${r.min_ms}, first ${r.first_run_ms}, create ${r.create_ms})` : `FAILED: ${r.error ?? r.skipped}`;
    console.log(`[ort-gpu ${r2((performance.now() - t0) / 1000)} s] ${cfg.id}: ${brief}${r.vs_cpu_sampled ? ` vs cpu max ${r.vs_cpu_sampled.max_abs_diff}` : ''}`);
    save();
  }
  report.summary = Object.fromEntries(report.results.map((r) => [r.id, r.ok ? r.median_ms : (r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error}`)]));
  save();
  console.log(JSON.stringify(report.summary, null, 1));
}

if (process.argv[2] === '--child') await child(JSON.parse(process.argv[3]));
else await parent();
