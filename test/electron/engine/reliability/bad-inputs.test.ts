// Bad inputs: every bad file is a clear per-file error and the batch goes on; odd but
// valid photos (animated, CMYK, 16-bit, alpha, EXIF-rotated) come out as upright 8-bit sRGB.
// Real sharp and onnxruntime in a real worker process; strength 0 makes the output the decoded
// photo itself, so pixels can be compared exactly.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/index.js';
import { parseExif } from '../../../../electron/imaging/exif.js';
import { FIXTURE_MODELS, WORKER, ensureBuilt, forgedPng, photo, tmpDir, writePhoto } from '../helpers.js';
import { MB, meanAbsDiff, procMem, runCli, solidPng } from './util.js';
import { EXIF_SOURCE_PIXEL } from '../../imaging/exif-orientation.js';

let engine: Engine;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = tmpDir('pastiche-rel-bad-');
  engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu' });
});
afterAll(async () => {
  await engine?.close();
});

const raw8 = async (file: string) => await sharp(file).toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });

describe('bad inputs: one clear error per file, the batch goes on', () => {
  it('zero-byte, truncated JPEG, random .png, 64250x64250 header, SVG/PDF renamed .jpg, HEIC', async () => {
    const src = path.join(dir, 'mixed');
    await writePhoto(path.join(src, 'a-good.jpg'), 64, 48, 1);
    writeFileSync(path.join(src, 'empty.jpg'), '');
    const full = readFileSync(await writePhoto(path.join(dir, 'full.jpg'), 400, 300, 2));
    writeFileSync(path.join(src, 'truncated.jpg'), full.subarray(0, Math.floor(full.length / 2)));
    writeFileSync(path.join(src, 'random.png'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 73 + 11 + (i >> 7)) % 256)));
    writeFileSync(path.join(src, 'bomb.png'), forgedPng(64250, 64250));
    writeFileSync(path.join(src, 'vector.jpg'), '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="4000"><rect width="10" height="10"/></svg>');
    writeFileSync(path.join(src, 'doc.jpg'), '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
    writeFileSync(path.join(src, 'phone.heic'), Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'), Buffer.alloc(2000, 7)]));
    await writePhoto(path.join(src, 'z-good.png'), 64, 48, 3);
    const out = path.join(dir, 'mixed-out');
    mkdirSync(out);
    const r = await engine.runBatch([src], out, { format: 'png', nameTemplate: '{name}' });
    const by = Object.fromEntries(r.files.map((f) => [path.basename(f.input), f]));
    expect(Object.keys(by).sort()).toEqual(['a-good.jpg', 'bomb.png', 'doc.jpg', 'empty.jpg', 'phone.heic', 'random.png', 'truncated.jpg', 'vector.jpg', 'z-good.png']);
    const expected: Record<string, RegExp> = {
      'empty.jpg': /^File is empty \(0 bytes\)$/,
      'truncated.jpg': /^JPEG file is truncated or damaged/,
      'random.png': /^Not a recognised image \(expected JPEG, PNG, WebP, TIFF, AVIF or GIF\)$/,
      'bomb.png': /^Image is 64250x64250 \(4128 MP\), above the 300 MP limit$/,
      'vector.jpg': /^SVG images are not supported/,
      'doc.jpg': /^PDF documents are not supported/,
      'phone.heic': /^HEIC is not supported by this build's decoder; convert the photo to JPEG first$/,
    };
    for (const [name, re] of Object.entries(expected)) {
      expect(by[name], name).toMatchObject({ status: 'failed', output: null, error: expect.stringMatching(re) });
    }
    expect(by['a-good.jpg']).toMatchObject({ status: 'ok', output: path.join(out, 'a-good.png') });
    expect(by['z-good.png']).toMatchObject({ status: 'ok', output: path.join(out, 'z-good.png') });
    expect(r.stoppedReason).toBeUndefined();
    // Only the two good outputs exist: no partial files, no temp files.
    expect(readdirSync(out).sort()).toEqual(['a-good.png', 'z-good.png']);
  });

  it('a small file declaring 64250x64250 is refused from its header: worker memory stays flat', async () => {
    const e = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu' });
    try {
      const good = await writePhoto(path.join(dir, 'warm.png'), 64, 64, 4);
      expect((await e.stylizeFile(good, { outDir: path.join(dir) }, { format: 'jpg' })).status).toBe('ok');
      const bomb = path.join(dir, 'bomb2.png');
      writeFileSync(bomb, forgedPng(64250, 64250));
      const before = procMem(e.workerPid);
      const r = await e.stylizeFile(bomb, { outDir: dir }, {});
      const after = procMem(e.workerPid);
      expect(r).toMatchObject({ status: 'failed', error: 'Image is 64250x64250 (4128 MP), above the 300 MP limit' });
      expect(readFileSync(bomb).length).toBeLessThan(200);
      if (before && after) {
        console.log(`64250x64250 header: worker peak RSS ${Math.round(before.hwm / MB)} -> ${Math.round(after.hwm / MB)} MiB`);
        // 64250^2 RGB would be 12 GB; the peak RSS of the worker must not move noticeably.
        expect(after.hwm - before.hwm).toBeLessThan(32 * MB);
      }
    } finally {
      await e.close();
    }
  });

  it('20000x20000: refused by the pixel limit (default and configured), or processed in tiles when allowed', async () => {
    const huge = path.join(dir, 'huge-20000.png');
    const tg = performance.now();
    await solidPng(huge, 20000, 20000);
    console.log(`solidPng 20000x20000: ${Math.round(performance.now() - tg)} ms`);
    const md = await sharp(huge, { limitInputPixels: false }).metadata();
    expect([md.width, md.height]).toEqual([20000, 20000]);
    // Default limit (300 MP): refused from the header.
    const r0 = await engine.stylizeFile(huge, { outDir: dir }, {});
    expect(r0).toMatchObject({ status: 'failed', error: 'Image is 20000x20000 (400 MP), above the 300 MP limit' });
    // A configured lower limit.
    const low = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu', maxPixels: 50_000_000 });
    try {
      // Start its worker first: the time below is the refusal alone, not a process start-up.
      expect((await low.stylizeFile(await writePhoto(path.join(dir, 'warm-low.png'), 64, 64, 5), { outDir: dir }, { format: 'jpg' })).status).toBe('ok');
      const t0 = performance.now();
      const r1 = await low.stylizeFile(huge, { outDir: dir }, {});
      expect(r1).toMatchObject({ status: 'failed', error: 'Image is 20000x20000 (400 MP), above the 50 MP limit' });
      expect(performance.now() - t0).toBeLessThan(5000);
    } finally {
      await low.close();
    }
    // A configured higher limit: decoded as a stream while downscaling, then inferred in tiles
    // (1024^2 = 1 MP > the configured 0.25 MP tiling threshold), memory bounded.
    const high = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu', maxPixels: 500_000_000, tilePixels: 250_000, statsEdge: 256 });
    try {
      const t0 = performance.now();
      const r2 = await high.stylizeFile(huge, { outputPath: path.join(dir, 'huge-out.png') }, { size: 1024, strength: 0 });
      console.log(`20000x20000 -> 1024 tiled: ${Math.round(performance.now() - t0)} ms`);
      expect(r2).toMatchObject({ status: 'ok' });
      const out = await sharp(r2.output!).raw().toBuffer({ resolveWithObject: true });
      expect([out.info.width, out.info.height]).toEqual([1024, 1024]);
      expect([out.data[0], out.data[1], out.data[2]]).toEqual([0x44, 0x66, 0x88]);
      const mem = procMem(high.workerPid);
      // 400 MP decoded whole would be 1.2 GB of RGB alone.
      if (mem) {
        console.log(`20000x20000 worker peak RSS ${Math.round(mem.hwm / MB)} MiB`);
        expect(mem.hwm).toBeLessThan(600 * MB);
      }
    } finally {
      await high.close();
    }
  });
});

describe('unusual but valid photos', () => {
  it('animated GIF and WebP: first frame, with a warning in the result', async () => {
    const frames = await (await photo(24, 72, 5)).raw().toBuffer();
    const out = path.join(dir, 'anim-out');
    mkdirSync(out, { recursive: true });
    const inputs: string[] = [];
    for (const ext of ['gif', 'webp'] as const) {
      const f = path.join(dir, 'anim', `anim.${ext}`);
      mkdirSync(path.dirname(f), { recursive: true });
      const p = sharp(frames, { raw: { width: 24, height: 72, channels: 3, pageHeight: 24 } as never });
      await (ext === 'gif' ? p.gif() : p.webp({ lossless: true })).toFile(f);
      expect((await sharp(f).metadata()).pages, ext).toBe(3);
      inputs.push(f);
    }
    const r = await engine.runBatch(inputs, out, { format: 'png', strength: 0 });
    for (const f of r.files) {
      const ext = path.extname(f.input).slice(1);
      expect(f, ext).toMatchObject({ status: 'ok' });
      expect(f.warnings?.[0], ext).toMatch(new RegExp(`^Animated ${ext === 'gif' ? 'GIF' : 'WebP'}: only the first of 3 frames was stylized$`));
      const o = await sharp(f.output!).raw().toBuffer({ resolveWithObject: true });
      expect([o.info.width, o.info.height], ext).toEqual([24, 24]);
      // First frame = top 24 rows of the strip.
      const first = frames.subarray(0, 24 * 24 * 3);
      expect(meanAbsDiff(o.data.subarray(0, first.length), first), ext).toBeLessThan(ext === 'gif' ? 20 : 1);
    }
    // The CLI reports the warning too: on stderr, and in --json.
    const c = await runCli(['stylize', ...inputs, '--out', path.join(dir, 'anim-cli'), '--json']);
    expect(c.code, c.stderr).toBe(0);
    // These 24x24 frames are smaller than the default brush (1024): painted at their size, quietly
    // (the brush was nobody's choice).
    expect(JSON.parse(c.stdout).files.map((f: { warnings?: string[] }) => f.warnings)).toEqual([
      ['Animated GIF: only the first of 3 frames was stylized'],
      ['Animated WebP: only the first of 3 frames was stylized'],
    ]);
  });

  it('CMYK JPEG with and without ICC, 16-bit PNG and TIFF, RGBA: 8-bit sRGB outputs with the right colours', async () => {
    const base = await (await photo(48, 32, 6)).png().toBuffer();
    const src = path.join(dir, 'colour');
    mkdirSync(src, { recursive: true });
    const cmykIcc = path.join(src, 'cmyk-icc.jpg');
    const cmykBare = path.join(src, 'cmyk-bare.jpg');
    await sharp(base).toColourspace('cmyk').withIccProfile('cmyk').jpeg({ quality: 98 }).toFile(cmykIcc);
    await sharp(base).toColourspace('cmyk').jpeg({ quality: 98 }).toFile(cmykBare);
    expect((await sharp(cmykIcc).metadata()).icc?.toString('latin1', 16, 20)).toBe('CMYK');
    expect((await sharp(cmykBare).metadata()).icc).toBeUndefined();
    const png16 = path.join(src, 'deep16.png');
    const tif16 = path.join(src, 'deep16.tif');
    await sharp(base).toColourspace('rgb16').png().toFile(png16);
    await sharp(base).toColourspace('rgb16').tiff({ compression: 'deflate' }).toFile(tif16);
    const rgba = path.join(src, 'rgba.png');
    await sharp(base).ensureAlpha(0.5).png().toFile(rgba);
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    expect((await sharp(tif16).metadata()).depth).toBe('ushort');

    const out = path.join(dir, 'colour-out');
    mkdirSync(out);
    const r = await engine.runBatch([src], out, { format: 'png', strength: 0 });
    expect(r.files.map((f) => [path.basename(f.input), f.status])).toEqual([
      ['cmyk-bare.jpg', 'ok'],
      ['cmyk-icc.jpg', 'ok'],
      ['deep16.png', 'ok'],
      ['deep16.tif', 'ok'],
      ['rgba.png', 'ok'],
    ]);
    const ref = await sharp(base).raw().toBuffer();
    for (const f of r.files) {
      const name = path.basename(f.input);
      const md = await sharp(f.output!).metadata();
      expect(md.depth, name).toBe('uchar');
      expect(md.space, name).toBe('srgb');
      expect([md.width, md.height], name).toEqual([48, 32]);
      const o = await sharp(f.output!).removeAlpha().raw().toBuffer();
      if (name.startsWith('cmyk')) {
        // What libvips' own CMYK->sRGB conversion of the same file gives (embedded or default profile).
        const want = (await raw8(f.input)).data;
        expect(meanAbsDiff(o, want), name).toBeLessThan(2);
        // And close to the original RGB photo (CMYK gamut round trip + JPEG: libvips' own conversion above is the exact check).
        expect(meanAbsDiff(o, ref), name).toBeLessThan(20);
      } else if (name === 'rgba.png') {
        expect(md.hasAlpha).toBe(true);
        const a = await sharp(f.output!).extractChannel(3).raw().toBuffer();
        expect(Math.abs(a[0]! - 128)).toBeLessThanOrEqual(1);
        expect(meanAbsDiff(o, ref)).toBeLessThanOrEqual(1);
      } else {
        expect(meanAbsDiff(o, ref), name).toBeLessThanOrEqual(1);
      }
    }
    // RGBA into JPEG: flattened onto white, no alpha.
    const j = await engine.stylizeFile(rgba, { outputPath: path.join(out, 'rgba-flat.jpg') }, { strength: 0 });
    const jm = await sharp(j.output!).metadata();
    expect(jm.hasAlpha).toBe(false);
    const jr = await sharp(j.output!).raw().toBuffer();
    // 50% alpha over white lifts every channel to at least ~127.
    expect(Math.min(...jr)).toBeGreaterThan(110);
  });

  it('EXIF orientations 2-8: every output is upright, orientation tag reset to 1', async () => {
    const W = 60,
      H = 40;
    const upright = Buffer.alloc(W * H * 3, 20);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) upright.fill(250, (y * W + x) * 3, (y * W + x) * 3 + 3);
    for (let y = 30; y < 40; y++) for (let x = 0; x < 10; x++) upright.fill(130, (y * W + x) * 3, (y * W + x) * 3 + 3);
    // Where display pixel (x, y) comes from in the stored image (EXIF 2.3 orientation semantics).
    const src = EXIF_SOURCE_PIXEL;
    const inDir = path.join(dir, 'orient');
    mkdirSync(inDir, { recursive: true });
    for (let o = 2; o <= 8; o++) {
      const ws = o >= 5 ? H : W,
        hs = o >= 5 ? W : H;
      const stored = Buffer.alloc(ws * hs * 3);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const [sx, sy] = src[o]!(x, y, ws, hs);
          upright.copy(stored, (sy * ws + sx) * 3, (y * W + x) * 3, (y * W + x) * 3 + 3);
        }
      await sharp(stored, { raw: { width: ws, height: hs, channels: 3 } })
        .png()
        .withMetadata({ orientation: o })
        .toFile(path.join(inDir, `orient-${o}.png`));
      expect((await sharp(path.join(inDir, `orient-${o}.png`)).metadata()).orientation).toBe(o);
    }
    const out = path.join(dir, 'orient-out');
    mkdirSync(out);
    const r = await engine.runBatch([inDir], out, { format: 'png', strength: 0 });
    expect(r.files).toHaveLength(7);
    for (const f of r.files) {
      const name = path.basename(f.input);
      expect(f.status, name).toBe('ok');
      const md = await sharp(f.output!).metadata();
      expect(md.orientation ?? 1, name).toBe(1);
      if (md.exif) expect(parseExif(md.exif)?.orientation ?? 1, name).toBe(1);
      const o = await sharp(f.output!).raw().toBuffer({ resolveWithObject: true });
      expect([o.info.width, o.info.height], name).toEqual([W, H]);
      expect(meanAbsDiff(o.data, upright), name).toBe(0);
    }
  });
});
