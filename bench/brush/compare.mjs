// Brush-size comparison: ways of bringing a painting made at the brush size (long edge, px) to
// the output size, measured against the brush-size painting and against today's native pass.
//
// For every photo and candidate: end-to-end time (decode -> passes -> upsample/blend -> JPEG q92
// in memory), the mean |difference| of the output downscaled to the brush size vs the brush-size
// painting (0-255), the mean |Laplacian| of luminance vs a Lanczos upscale of that painting, and
// how much of the output's fine detail (above the brush size) is the photo's own (correlation).
// Candidates run interleaved (photo by photo, in the same process, same warm sessions), so time
// ratios hold on a shared machine even though absolute times do not.
//
// usage (after `npm run build:node`):
//   node bench/brush/compare.mjs [--photos a.jpg,b.jpg] [--edge N] [--brush 1024] [--style starry-night]
//     [--candidates lanczos,back-projection,guided,photo-detail,two-scale,two-scale-fast,two-scale-2,restyle,two-scale-native,native]
//     [--images dir]
//     [--threads 2] [--repeat 1] [--no-back-projection]
// --edge resizes each photo to that long edge first (e.g. 4352 for a 4352x2448 camera photo);
// --images writes every output (PNG) for looking at. Prints one JSON line per photo and a table.
import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { stylizePixels } from '../../dist/electron/imaging/pipeline.js';
import { decodeImage, encodeImage } from '../../dist/electron/imaging/image-io.js';
import { lumaLaplacian, meanAbsDiff } from '../../dist/electron/common/image-metrics.js';
import { addResidual, brushPlan, brushResidual, composeDetail } from '../../dist/electron/imaging/brush.js';

// onnxruntime's telemetry off before the first session (electron/worker/no-telemetry.ts says why).
process.env.ORT_DISABLE_TELEMETRY = '1';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const highres = path.resolve(root, '../shared/data/eval/highres');
const photos = opt('--photos', null)?.split(',') ?? readdirSync(highres).filter((f) => f.endsWith('.jpg')).map((f) => path.join(highres, f));
const edge = Number(opt('--edge', '0')) || null;
const brush = Number(opt('--brush', '1024'));
const styleId = opt('--style', 'starry-night');
const threads = Number(opt('--threads', '2'));
const candidates = opt('--candidates', 'lanczos,back-projection,guided,photo-detail,two-scale,two-scale-2,restyle,native').split(',');
const repeat = Number(opt('--repeat', '1'));
const backProject = !args.includes('--no-back-projection');
const imagesDir = opt('--images', null);
if (imagesDir) mkdirSync(imagesDir, { recursive: true });

// ---- model, as the worker feeds it (electron/worker/inference-worker.ts) --------------------
const manifest = JSON.parse(readFileSync(path.join(root, 'models/manifest.json'), 'utf8'));
const info = manifest.models[0];
// The style's vector from its file (docs/styles.md), fed to the graph's style_vector input.
const styleFile = path.join(root, 'models', info.styles.dir, `${styleId}.json`);
const weights = Float32Array.from(JSON.parse(readFileSync(styleFile, 'utf8')).vector);
const cpu = { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', enableCpuMemArena: true, enableMemPattern: true };
const file = (f) => path.join(root, 'models', f);
const [full, tiles, int8] = await Promise.all([
  ort.InferenceSession.create(file(info.file), cpu),
  ort.InferenceSession.create(file(info.variants.tiles.file), cpu),
  ort.InferenceSession.create(file(info.variants.int8.file), cpu),
]);
const io = info.io;
const styleFeed = () => new ort.Tensor('float32', weights, [1, weights.length]);
const runner = {
  provider: 'cpu', fallbackReason: undefined,
  async full(input, h, w) {
    const o = await full.run({ [io.input]: new ort.Tensor('float32', input, [1, 3, h, w]), [io.styleVector]: styleFeed() });
    return { output: o[io.output].data, stats: o[io.stats].data };
  },
  async tile(input, h, w, stats) {
    const o = await tiles.run({ [io.input]: new ort.Tensor('float32', input, [1, 3, h, w]), [io.styleVector]: styleFeed(), [io.stats]: new ort.Tensor('float32', stats, [2, io.statsSize]) });
    return o[io.output].data;
  },
  async single(rgb, h, w) {
    const o = await int8.run({ [io.input]: new ort.Tensor('uint8', rgb, [1, h, w, 3]), [io.styleVector]: styleFeed() });
    return o[io.output].data;
  },
};
const settings = { model: { id: info.id, io, receptiveField: info.receptiveField }, tilePixels: 3_000_000, statsEdge: 1024 };
const never = { cancelled: false };
/** The engine's inference on interleaved RGB: int8 single pass up to 3 MP, float tiles above. */
const stylize = async (rgb, w, h) => (await stylizePixels(rgb, w, h, runner, settings, never)).rgb;
const resize = (rgb, w, h, tw, th) => (w === tw && h === th ? rgb : sharp(rgb, { raw: { width: w, height: h, channels: 3 } }).resize(tw, th, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer());
const encode = (rgb, w, h) => encodeImage(rgb, w, h, 3, { format: 'jpg', quality: 92, keepMetadata: false, stripGps: true, meta: {} });

// ---- guided upsampling (He et al. fast guided filter, grey guide) --------------------------
function boxMean(src, w, h, r) {
  // Integral image; window clipped at the borders.
  const I = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) { let row = 0; for (let x = 0; x < w; x++) { row += src[y * w + x]; I[(y + 1) * (w + 1) + x + 1] = I[y * (w + 1) + x + 1] + row; } }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r), y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r), x1 = Math.min(w, x + r + 1);
      out[y * w + x] = (I[y1 * (w + 1) + x1] - I[y0 * (w + 1) + x1] - I[y1 * (w + 1) + x0] + I[y0 * (w + 1) + x0]) / ((y1 - y0) * (x1 - x0));
    }
  }
  return out;
}
const luma = (rgb, n) => { const g = new Float32Array(n); for (let i = 0; i < n; i++) g[i] = (0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]) / 255; return g; };
function bilinear(src, w, h, W, H) {
  const out = new Float32Array(W * H);
  for (let Y = 0; Y < H; Y++) {
    const fy = Math.min(h - 1, Math.max(0, ((Y + 0.5) * h) / H - 0.5)); const y0 = Math.floor(fy), y1 = Math.min(h - 1, y0 + 1), ty = fy - y0;
    for (let X = 0; X < W; X++) {
      const fx = Math.min(w - 1, Math.max(0, ((X + 0.5) * w) / W - 0.5)); const x0 = Math.floor(fx), x1 = Math.min(w - 1, x0 + 1), tx = fx - x0;
      out[Y * W + X] = (src[y0 * w + x0] * (1 - tx) + src[y0 * w + x1] * tx) * (1 - ty) + (src[y1 * w + x0] * (1 - tx) + src[y1 * w + x1] * tx) * ty;
    }
  }
  return out;
}
/** Fits painting = a * photo + b in windows of the brush-size images; applies a, b to the full photo. */
function guidedUpsample(paint, small, sw, sh, photo, W, H, r = 4, eps = 1e-3) {
  const n = sw * sh, N = W * H;
  const I = luma(small, n), IF = luma(photo, N);
  const mI = boxMean(I, sw, sh, r), II = I.map((v) => v * v), mII = boxMean(II, sw, sh, r);
  const out = Buffer.allocUnsafe(N * 3);
  for (let c = 0; c < 3; c++) {
    const p = new Float32Array(n); for (let i = 0; i < n; i++) p[i] = paint[3 * i + c] / 255;
    const mp = boxMean(p, sw, sh, r), Ip = new Float32Array(n); for (let i = 0; i < n; i++) Ip[i] = I[i] * p[i];
    const mIp = boxMean(Ip, sw, sh, r);
    const a = new Float32Array(n), b = new Float32Array(n);
    for (let i = 0; i < n; i++) { const va = mII[i] - mI[i] * mI[i]; a[i] = (mIp[i] - mI[i] * mp[i]) / (va + eps); b[i] = mp[i] - a[i] * mI[i]; }
    const A = bilinear(boxMean(a, sw, sh, r), sw, sh, W, H), B = bilinear(boxMean(b, sw, sh, r), sw, sh, W, H);
    for (let i = 0; i < N; i++) { const v = (A[i] * IF[i] + B[i]) * 255; out[3 * i + c] = v <= 0 ? 0 : v >= 255 ? 255 : v + 0.5; }
  }
  return out;
}

// ---- candidates: each returns the output RGB at (W, H) ---------------------------------------
async function run(name, img) {
  const { rgb: P, width: W, height: H } = img;
  // 'two-scale' / 'restyle': the detail size of brushPlan's defaults; '-F': a fixed F x brush.
  const f = Number(name.split('-').pop());
  const plan = brushPlan(W, H, brush, f > 0 ? { factor: f, pixels: Infinity, share: Infinity, minFactor: f } : {});
  if (name === 'native') return { rgb: await stylize(P, W, H), passes: [`${W}x${H}`] };
  const small = await resize(P, W, H, plan.brushWidth, plan.brushHeight);
  const B = await stylize(small, plan.brushWidth, plan.brushHeight);
  const up = await resize(B, plan.brushWidth, plan.brushHeight, W, H);
  const passes = [`${plan.brushWidth}x${plan.brushHeight}`];
  if (name === 'lanczos') return { rgb: up, passes, B };
  if (name === 'guided') return { rgb: guidedUpsample(B, small, plan.brushWidth, plan.brushHeight, P, W, H), passes, B };
  let D, dw, dh;
  if (name === 'back-projection' || (name !== 'photo-detail' && name !== 'two-scale-native' && plan.mode === 'enlarge')) return { rgb: await backProjectStep(up, B, plan, W, H), passes, B };
  if (name === 'photo-detail') { D = P; dw = W; dh = H; passes.push('photo detail'); }
  else {
    if (name === 'two-scale-native') { dw = W; dh = H; } else { dw = plan.detailWidth; dh = plan.detailHeight; }
    // two-scale: the photo painted at the detail size; restyle: the brush painting, enlarged to
    // the detail size, painted again (its detail follows the big strokes, not the photo).
    const src = name.startsWith('restyle') ? await resize(B, plan.brushWidth, plan.brushHeight, dw, dh) : await resize(P, W, H, dw, dh);
    D = await stylize(src, dw, dh);
    passes.push(`${dw}x${dh}`);
  }
  const dUp = await resize(D, dw, dh, W, H);
  if (name === 'two-scale-fast') {
    // The same blend with one enlargement fewer: up(B) + up(D) - up(down(D)) = up(D) + up(B - down(D)),
    // the difference formed at the brush size (offset by 128, like the residual).
    const diff = brushResidual(B, await resize(D, dw, dh, plan.brushWidth, plan.brushHeight));
    const blend = addResidual(dUp, await resize(diff, plan.brushWidth, plan.brushHeight, W, H));
    return { rgb: backProject ? await backProjectStep(blend, B, plan, W, H) : blend, passes, B };
  }
  // Detail band of D: D minus D seen at the brush size (down then up), enlarged to the output.
  const dLow = await resize(await resize(D, dw, dh, plan.brushWidth, plan.brushHeight), plan.brushWidth, plan.brushHeight, W, H);
  const blend = composeDetail(up, dUp, dLow);
  return { rgb: backProject ? await backProjectStep(blend, B, plan, W, H) : blend, passes, B };
}

/** One back-projection step: the blend, reduced to the brush size, made equal to the painting. */
async function backProjectStep(blend, B, plan, W, H) {
  const bw = plan.brushWidth, bh = plan.brushHeight;
  const residual = brushResidual(B, await resize(blend, W, H, bw, bh));
  return addResidual(Buffer.from(blend), await resize(residual, bw, bh, W, H));
}

/**
 * Luminance detail above the brush size (image minus its brush-size copy enlarged): the part
 * that decides whether 100 % looks painted or photographed.
 */
async function detailBand(rgb, w, h, plan, down = null) {
  const low = await resize(down ?? await resize(rgb, w, h, plan.brushWidth, plan.brushHeight), plan.brushWidth, plan.brushHeight, w, h);
  const band = new Float32Array(w * h);
  for (let i = 0, j = 0; i < band.length; i++, j += 3) band[i] = 0.299 * (rgb[j] - low[j]) + 0.587 * (rgb[j + 1] - low[j + 1]) + 0.114 * (rgb[j + 2] - low[j + 2]);
  return band;
}
/** Pearson correlation of two detail bands: 1 = the output's fine detail is the photo's. */
function correlation(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

const rows = [];
for (const photo of photos) {
  let srcFile = photo;
  if (edge) {
    // The photo at the requested long edge, as a lossless file, so every candidate decodes the same thing.
    const { width, height } = await sharp(photo).autoOrient().metadata();
    const s = edge / Math.max(width, height);
    srcFile = path.join(process.env.TMPDIR ?? '/tmp', `brush-${path.basename(photo, path.extname(photo))}-${edge}.png`);
    await sharp(photo).autoOrient().resize(Math.round(width * s), Math.round(height * s), { kernel: 'lanczos3' }).png({ compressionLevel: 1 }).toFile(srcFile);
  }
  const base = path.basename(photo, path.extname(photo));
  const res = { photo: base, brush, style: styleId };
  let ref = null, refLap = 0, photoBand = null;
  // Round-robin over the candidates; times are the fastest of `repeat` rounds (the first run of
  // a new input shape also pays for ORT's allocation planning), metrics come from round 1.
  for (let round = 0; round < repeat; round++) {
    for (const name of candidates) {
      const t0 = performance.now();
      const img = await decodeImage(srcFile, { size: 'original' });
      const r = await run(name, img);
      const data = await encode(r.rgb, img.width, img.height);
      const ms = performance.now() - t0;
      if (round > 0) { res[name].ms = Math.min(res[name].ms, Math.round(ms)); continue; }
      const plan = brushPlan(img.width, img.height, brush);
      // Reference: the brush-size painting (what the brush-size export is) and its Lanczos upscale.
      if (!ref) {
        ref = r.B ?? await stylize(await resize(img.rgb, img.width, img.height, plan.brushWidth, plan.brushHeight), plan.brushWidth, plan.brushHeight);
        refLap = lumaLaplacian(await resize(ref, plan.brushWidth, plan.brushHeight, img.width, img.height), img.width, img.height);
      }
      const down = await resize(r.rgb, img.width, img.height, plan.brushWidth, plan.brushHeight);
      photoBand ??= await detailBand(img.rgb, img.width, img.height, plan);
      res.size = `${img.width}x${img.height}`;
      res[name] = {
        ms: Math.round(ms), passes: r.passes.join(' + '),
        diffAtBrush: +meanAbsDiff(down, ref).toFixed(2),
        lapRatio: +(lumaLaplacian(r.rgb, img.width, img.height) / refLap).toFixed(2),
        photoCorr: +correlation(await detailBand(r.rgb, img.width, img.height, plan, down), photoBand).toFixed(3),
        jpegBytes: data.length,
      };
      if (imagesDir) await sharp(r.rgb, { raw: { width: img.width, height: img.height, channels: 3 } }).png({ compressionLevel: 1 }).toFile(path.join(imagesDir, `${base}-${brush}-${name}.png`));
    }
  }
  if (res.native) for (const name of candidates) res[name].vsNative = +(res[name].ms / res.native.ms).toFixed(3);
  console.log(JSON.stringify(res));
  rows.push(res);
}
console.log('\n| photo | size | candidate | passes | diff at brush | Laplacian ratio | photo detail corr. | ms | vs native |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) for (const c of candidates) console.log(`| ${r.photo} | ${r.size} | ${c} | ${r[c].passes} | ${r[c].diffAtBrush} | ${r[c].lapRatio} | ${r[c].photoCorr} | ${r[c].ms} | ${r[c].vsNative ?? ''} |`);
// Peak memory of this process (all candidates run here; run one candidate alone to see its own).
console.log(`\nmax RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
