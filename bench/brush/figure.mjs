// Labelled side-by-side figures from the PNGs written by compare.mjs --images.
//   node bench/brush/figure.mjs --out docs/images/brush/name.jpg --fit 640 a.png=label b.png=label ...
//     the whole pictures, each resized to 640 px wide, in one row (or --cols N rows);
//   node bench/brush/figure.mjs --out x.png --crop 0.62,0.35,384 a.png=label ...
//     a 384 px square at 100 % centred at (0.62, 0.35) of each picture's width and height.
// JPEG (q85) or PNG by the output's extension.
import path from 'node:path';
import sharp from 'sharp';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); if (i < 0) return null; const v = args[i + 1]; args.splice(i, 2); return v; };
const out = opt('--out');
const fitWidth = Number(opt('--fit') ?? 0);
const crop = opt('--crop')?.split(',').map(Number) ?? null;
const cols = Number(opt('--cols') ?? 0);
const gap = 6;
if (!out || (!fitWidth && !crop)) throw new Error('usage: figure.mjs --out file (--fit W | --crop fx,fy,size) [--cols N] file=label ...');

const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const label = (text, w) => Buffer.from(`<svg width="${w}" height="30"><rect width="${w}" height="30" fill="#000" fill-opacity="0.62"/><text x="8" y="21" font-family="DejaVu Sans, sans-serif" font-size="17" fill="#fff">${esc(text)}</text></svg>`);

const panels = [];
for (const a of args) {
  const eq = a.indexOf('=');
  const file = eq < 0 ? a : a.slice(0, eq);
  const text = eq < 0 ? path.basename(a) : a.slice(eq + 1);
  const img = sharp(file);
  const { width, height } = await img.metadata();
  let p;
  if (crop) {
    const [fx, fy, size] = crop;
    const left = Math.max(0, Math.min(width - size, Math.round(fx * width - size / 2)));
    const top = Math.max(0, Math.min(height - size, Math.round(fy * height - size / 2)));
    p = img.extract({ left, top, width: size, height: size });
  } else {
    p = img.resize({ width: fitWidth, kernel: 'lanczos3' });
  }
  const buf = await p.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const w = buf.info.width, h = buf.info.height;
  // Compositing the label adds an alpha channel: keep whatever comes back, with its channel count.
  const tile = await sharp(buf.data, { raw: { width: w, height: h, channels: 3 } }).composite([{ input: label(text, w), top: 0, left: 0 }]).raw().toBuffer({ resolveWithObject: true });
  panels.push({ data: tile.data, w, h, ch: tile.info.channels });
}
const n = panels.length, c = cols || n, r = Math.ceil(n / c);
const pw = panels[0].w, ph = panels[0].h;
const W = c * pw + (c - 1) * gap, H = r * ph + (r - 1) * gap;
const canvas = sharp({ create: { width: W, height: H, channels: 3, background: '#ffffff' } })
  .composite(panels.map((p, i) => ({ input: p.data, raw: { width: p.w, height: p.h, channels: p.ch }, left: (i % c) * (pw + gap), top: Math.floor(i / c) * (ph + gap) })));
await (out.endsWith('.png') ? canvas.png({ compressionLevel: 9 }) : canvas.jpeg({ quality: 85 })).toFile(out);
console.log(out, `${W}x${H}`);
