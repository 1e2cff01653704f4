import { writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExif } from '../../../electron/imaging/exif.js';
import { decodeImage, encodeImage, probeImage } from '../../../electron/imaging/image-io.js';
import { sniff } from '../../../electron/imaging/sniff.js';
import { forgedPng, photo, tmpDir, writePhoto } from '../engine/helpers.js';
import { EXIF_SOURCE_PIXEL } from './exif-orientation.js';

let dir: string;
beforeAll(() => {
  dir = tmpDir();
});

const decode = (f: string, size: number | 'original' = 'original', maxPixels?: number) => decodeImage(f, maxPixels ? { size, maxPixels } : { size });

describe('sniffing and bad files', () => {
  it('refuses empty, random, SVG, PDF renamed .jpg before sharp', async () => {
    const cases: [string, Buffer | string, RegExp][] = [
      ['empty.jpg', Buffer.alloc(0), /File is empty/],
      ['random.png', Buffer.from(Array.from({ length: 500 }, (_, i) => (i * 73 + 11) % 256)), /Not a recognised image/],
      ['vector.jpg', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', /SVG images are not supported/],
      ['bare.jpg', '<svg width="10" height="10"></svg>', /SVG images are not supported/],
      ['doc.jpg', '%PDF-1.4\n%...', /PDF documents are not supported/],
    ];
    for (const [name, data, re] of cases) {
      const f = path.join(dir, name);
      writeFileSync(f, data);
      await expect(decode(f)).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT', message: expect.stringMatching(re) });
    }
  });

  it('reports a truncated JPEG clearly', async () => {
    const f = await writePhoto(path.join(dir, 'full.jpg'), 400, 300);
    const buf = (await import('node:fs')).readFileSync(f);
    const t = path.join(dir, 'truncated.jpg');
    writeFileSync(t, buf.subarray(0, Math.floor(buf.length / 2)));
    await expect(decode(t)).rejects.toMatchObject({ code: 'DECODE', message: expect.stringMatching(/JPEG file is truncated or damaged/) });
  });

  it('says truncated from the missing end marker even when libvips says only "Unknown error"', async () => {
    // Decodes in parallel can lose libvips' per-thread error text; eight at once reproduced it.
    const f = await writePhoto(path.join(dir, 'full-par.jpg'), 400, 300);
    const buf = (await import('node:fs')).readFileSync(f);
    const files = Array.from({ length: 8 }, (_, i) => {
      const t = path.join(dir, `cut-${i}.jpg`);
      writeFileSync(t, buf.subarray(0, Math.floor((buf.length * (i + 2)) / 11)));
      return t;
    });
    const results = await Promise.allSettled(files.map((t) => decode(t)));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'DECODE', message: expect.stringMatching(/^JPEG file is truncated or damaged/) });
    }
  });

  it('refuses a forged 64250x64250 PNG from its header, before decoding', async () => {
    const f = path.join(dir, 'bomb.png');
    writeFileSync(f, forgedPng(64250, 64250));
    const rss = process.memoryUsage().rss;
    await expect(decode(f)).rejects.toMatchObject({ code: 'TOO_LARGE', message: 'Image is 64250x64250 (4128 MP), above the 300 MP limit' });
    expect(process.memoryUsage().rss - rss).toBeLessThan(200e6);
    await expect(probeImage(f, 1000)).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  it('HEIC brand gets the HEIC message; AVIF brand is avif', () => {
    const ftyp = (brand: string, compat: string) => Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from(`ftyp${brand}\0\0\0\0${compat}mif1`, 'latin1')]);
    expect(sniff(ftyp('heic', 'heic'))).toEqual({ ok: true, format: 'heic' });
    expect(sniff(ftyp('mif1', 'avif'))).toEqual({ ok: true, format: 'avif' });
  });

  it('HEIC that sharp cannot decode -> clear unsupported error', async () => {
    const f = path.join(dir, 'photo.heic');
    writeFileSync(f, Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0heicmif1', 'latin1'), Buffer.alloc(100)]));
    await expect(decode(f)).rejects.toMatchObject({ code: 'UNSUPPORTED_FORMAT', message: "HEIC is not supported by this build's decoder; convert the photo to JPEG first" });
  });
});

describe('decoding', () => {
  it('applies EXIF orientations 2-8 so the output is upright', async () => {
    // A landscape image with a bright top-left marker; after orientation handling, decode
    // must always show it top-left in a 60x40 frame.
    const raw = Buffer.alloc(60 * 40 * 3, 20);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) raw.fill(250, (y * 60 + x) * 3, (y * 60 + x) * 3 + 3);
    // Stored pixels S such that displaying S with orientation o gives the upright image D
    // (EXIF 2.3 definitions of where S's 0th row / column end up).
    const W = 60,
      H = 40;
    const src = EXIF_SOURCE_PIXEL;
    for (let o = 2; o <= 8; o++) {
      // Store pixels transformed by the inverse of orientation o, tagged o.
      const ws = o >= 5 ? H : W,
        hs = o >= 5 ? W : H;
      const stored = Buffer.alloc(ws * hs * 3);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const [sx, sy] = src[o]!(x, y, ws, hs);
          raw.copy(stored, (sy * ws + sx) * 3, (y * W + x) * 3, (y * W + x) * 3 + 3);
        }
      const f = path.join(dir, `orient-${o}.jpg`);
      await sharp(stored, { raw: { width: ws, height: hs, channels: 3 } })
        .jpeg({ quality: 95 })
        .withMetadata({ orientation: o })
        .toFile(f);
      const img = await decode(f);
      expect([img.width, img.height], `orientation ${o}`).toEqual([60, 40]);
      expect(img.rgb[0], `orientation ${o} top-left`).toBeGreaterThan(200);
      expect(img.rgb[(39 * 60 + 59) * 3], `orientation ${o} bottom-right`).toBeLessThan(60);
    }
  });

  it('resizes to the long edge, never upscales by default', async () => {
    const f = await writePhoto(path.join(dir, 'big.png'), 300, 200);
    expect((await decode(f, 150)).width).toBe(150);
    expect((await decode(f, 1000)).width).toBe(300);
    expect((await decodeImage(f, { size: 600, allowUpscale: true })).width).toBe(600);
  });

  it('handles 16-bit, CMYK, grayscale and alpha inputs', async () => {
    const p16 = path.join(dir, 'deep.png');
    await (await photo(40, 30)).toColourspace('rgb16').png().toFile(p16);
    expect((await sharp(p16).metadata()).depth).toBe('ushort');
    const d16 = await decode(p16);
    expect(d16.rgb.length).toBe(40 * 30 * 3);

    const cmyk = path.join(dir, 'cmyk.jpg');
    await (await photo(40, 30)).toColourspace('cmyk').jpeg().toFile(cmyk);
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const dc = await decode(cmyk);
    expect(dc.rgb.length).toBe(40 * 30 * 3);
    // Red-ish left -> right gradient survives the conversion.
    expect(dc.rgb[(15 * 40 + 39) * 3]!).toBeGreaterThan(dc.rgb[15 * 40 * 3]!);

    const gray = path.join(dir, 'gray.png');
    await (await photo(40, 30)).grayscale().png().toFile(gray);
    expect((await decode(gray)).rgb.length).toBe(40 * 30 * 3);

    const rgba = path.join(dir, 'alpha.png');
    await (await photo(40, 30)).ensureAlpha(0.5).png().toFile(rgba);
    const da = await decode(rgba);
    expect(da.alpha?.length).toBe(40 * 30);
    expect(Math.abs((da.alpha?.[0] ?? 0) - 128)).toBeLessThanOrEqual(1);
  });

  it('GIF: first frame with a warning when animated', async () => {
    const frames = path.join(dir, 'anim.gif');
    const strip = await (await photo(20, 60)).png().toBuffer();
    await sharp(strip, { animated: true })
      .gif()
      .toFile(frames)
      .catch(async () => {
        await sharp(strip).gif().toFile(frames);
      });
    const g = path.join(dir, 'anim2.gif');
    await sharp(await (await photo(20, 60)).raw().toBuffer(), { raw: { width: 20, height: 60, channels: 3, pageHeight: 20 } as never })
      .gif()
      .toFile(g)
      .catch(() => undefined);
    const img = await decode(frames);
    expect(img.format).toBe('gif');
    const md = await sharp(g)
      .metadata()
      .catch(() => null);
    if (md && (md.pages ?? 1) > 1) {
      const a = await decode(g);
      expect(a.height).toBe(20);
      expect(a.warnings[0]).toMatch(/only the first of 3 frames/);
    }
  });
});

describe('encoding and metadata', () => {
  it('writes every format; alpha kept except JPEG (flattened)', async () => {
    const px = Buffer.alloc(32 * 16 * 4, 200);
    for (const fmt of ['jpg', 'png', 'webp', 'tiff', 'avif'] as const) {
      const buf = await encodeImage(px, 32, 16, 4, { format: fmt, quality: 80, keepMetadata: true, stripGps: false, meta: {} });
      const md = await sharp(buf).metadata();
      expect(md.format).toBe(fmt === 'jpg' ? 'jpeg' : fmt === 'avif' ? 'heif' : fmt);
      expect([md.width, md.height]).toEqual([32, 16]);
      if (fmt !== 'jpg') expect(md.hasAlpha, fmt).toBe(true);
    }
  });

  it('keeps EXIF/ICC/XMP, resets orientation to 1, strips GPS on request, strips all on request', async () => {
    const src = path.join(dir, 'meta.jpg');
    await (
      await photo(48, 32)
    )
      .jpeg()
      .withExif({ IFD0: { Make: 'TestCam', Model: 'X1' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
      .withMetadata({ orientation: 6 })
      .withIccProfile('p3')
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="51,30N" exif:UserComment="hi"/></rdf:RDF></x:xmpmeta>',
      )
      .toFile(src);
    const img = await decode(src);
    expect(parseExif(img.meta.exif!)).toMatchObject({ orientation: 6, hasGpsPointer: true });
    for (const fmt of ['jpg', 'png', 'webp', 'avif'] as const) {
      const kept = await encodeImage(img.rgb, img.width, img.height, 3, { format: fmt, quality: 90, keepMetadata: true, stripGps: false, meta: img.meta });
      const md = await sharp(kept).metadata();
      const ex = parseExif(md.exif!);
      expect(ex?.orientation, fmt).toBe(1);
      expect(ex?.hasGpsPointer, fmt).toBe(true);
      expect(md.exif!.toString('latin1')).toContain('TestCam');
      expect(md.icc, fmt).toBeDefined();
      // The photo's own (Display P3) profile is embedded again, pixels converted back into it.
      expect(md.icc!.equals(img.meta.icc!), fmt).toBe(true);
      expect(md.orientation ?? 1).toBe(1);
      const noGps = await encodeImage(img.rgb, img.width, img.height, 3, { format: fmt, quality: 90, keepMetadata: true, stripGps: true, meta: img.meta });
      const md2 = await sharp(noGps).metadata();
      expect(parseExif(md2.exif!)).toMatchObject({ hasGpsPointer: false, gps: [] });
      expect(md2.exif!.toString('latin1')).toContain('TestCam');
      if (md2.xmp) expect(md2.xmp.toString()).not.toContain('GPSLatitude');
      const none = await encodeImage(img.rgb, img.width, img.height, 3, { format: fmt, quality: 90, keepMetadata: false, stripGps: false, meta: img.meta });
      const md3 = await sharp(none).metadata();
      expect(md3.exif, fmt).toBeUndefined();
      expect(md3.xmp, fmt).toBeUndefined();
    }
  });

  it('JPEG of a photo without a profile: tagged sRGB by splicing, byte for byte what withIccProfile gives', async () => {
    const px = await (await photo(64, 48)).raw().toBuffer();
    const raw = { width: 64, height: 48, channels: 3 } as const;
    const mine = await encodeImage(px, 64, 48, 3, { format: 'jpg', quality: 92, keepMetadata: true, stripGps: false, meta: {} });
    const libvips = await sharp(px, { raw }).withIccProfile('srgb').jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer();
    expect(mine.equals(libvips)).toBe(true);
    // With EXIF too: both segments, the profile sRGB, EXIF first.
    const exif = (
      await sharp(
        await (
          await photo(8, 8)
        )
          .jpeg()
          .withExif({ IFD0: { Make: 'TestCam' } })
          .toBuffer(),
      ).metadata()
    ).exif!;
    const both = await encodeImage(px, 64, 48, 3, { format: 'jpg', quality: 92, keepMetadata: true, stripGps: false, meta: { exif } });
    const md = await sharp(both).metadata();
    expect(md.icc!.equals((await sharp(libvips).metadata()).icc!)).toBe(true);
    expect(md.exif!.toString('latin1')).toContain('TestCam');
    expect([both[2], both[3]]).toEqual([0xff, 0xe1]);
    expect((await sharp(both).raw().toBuffer()).equals(await sharp(libvips).raw().toBuffer())).toBe(true);
    // No metadata: no profile either.
    const bare = await encodeImage(px, 64, 48, 3, { format: 'jpg', quality: 92, keepMetadata: false, stripGps: false, meta: {} });
    expect((await sharp(bare).metadata()).icc).toBeUndefined();
  });

  it('encodes raw pixels exactly under the metadata carrier (lossless formats)', async () => {
    const px = Buffer.from(Array.from({ length: 20 * 10 * 3 }, (_, i) => (i * 37) % 256));
    const exif = (
      await sharp(
        await (
          await photo(8, 8)
        )
          .jpeg()
          .withExif({ IFD0: { Make: 'A' } })
          .toBuffer(),
      ).metadata()
    ).exif!;
    const buf = await encodeImage(px, 20, 10, 3, { format: 'png', quality: 90, keepMetadata: true, stripGps: false, meta: { exif } });
    const back = await sharp(buf).raw().toBuffer();
    expect(back.equals(px)).toBe(true);
  });
});
