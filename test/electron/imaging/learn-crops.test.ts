// The learner's crops (training/core/data.py ContentCrops): seeded draws inside the photo, the
// recipe's scale range and mirror rate, resizing to the crop size, and the painting at the style size,
// colour-managed as the reference learner (training/core/data.py load_rgb) reads it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ContentCrops, decodeRgb, drawCrop, probeIndices, Rng } from '../../../electron/imaging/learn-crops.js';
import { ROOT, tmpDir } from '../engine/helpers.js';

const PYTHON = '/usr/bin/python3';
/** The reference's decoder needs PyTorch, numpy and Pillow; without them the parity check is skipped. */
const HAVE_REFERENCE = spawnSync(PYTHON, ['-c', 'import torch, numpy, PIL.ImageCms'], { stdio: 'ignore' }).status === 0;
if (!HAVE_REFERENCE) console.log(`[learn-crops.test] skipping the colour-management parity: ${PYTHON} with torch, numpy and Pillow is not here`);

/** A PNG whose pixel (x, y) is rgb(x, y); `icc` embeds that profile (values converted to it). */
async function writeRgb(file: string, width: number, height: number, rgb: (x: number, y: number) => number[], icc?: string): Promise<string> {
  const buf = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) buf.set(rgb(x, y), (y * width + x) * 3);
  const img = sharp(buf, { raw: { width, height, channels: 3 } });
  await (icc ? img.withIccProfile(icc) : img).png().toFile(file);
  return file;
}

/** A photo whose red channel is x and green channel is y (so a crop shows where it came from). */
const ramp = (file: string, width: number, height: number, blue = 128): Promise<string> =>
  writeRgb(file, width, height, (x, y) => [Math.round((x * 255) / (width - 1)), Math.round((y * 255) / (height - 1)), blue]);

/** Runs Python lines in the repository (argv: args) and returns its stdout and the bytes it wrote to `out`. */
function reference(lines: string[], args: string[], out: string): { stdout: string; bytes: Buffer } {
  const r = spawnSync(PYTHON, ['-c', lines.join('\n'), ...args, out], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return { stdout: r.stdout, bytes: readFileSync(out) };
}

describe('crop draws', () => {
  it('are seeded: the same seed gives the same draws', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('stay inside the photo, with sides in [minScale, 1] of the short edge and about half mirrored', () => {
    const rng = new Rng(1);
    const sizes = [
      { width: 300, height: 200 },
      { width: 120, height: 500 },
    ];
    let flips = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const b = drawCrop(rng, sizes, 0.55, 0.5);
      const { width, height } = sizes[b.index] as { width: number; height: number };
      const short = Math.min(width, height);
      expect(b.side).toBeGreaterThanOrEqual(Math.floor(short * 0.55));
      expect(b.side).toBeLessThanOrEqual(short);
      expect(b.left + b.side).toBeLessThanOrEqual(width);
      expect(b.top + b.side).toBeLessThanOrEqual(height);
      if (b.flip) flips++;
    }
    expect(flips / n).toBeGreaterThan(0.45);
    expect(flips / n).toBeLessThan(0.55);
    // Never below 16 px, however small the scale.
    expect(drawCrop(new Rng(2), [{ width: 20, height: 20 }], 0.01, 0).side).toBeGreaterThanOrEqual(16);
  });
});

describe('ContentCrops', () => {
  it('decodes the photos once, leaves out those under half the crop, and cuts [n,3,crop,crop] batches from the drawn place', async () => {
    const dir = tmpDir('pastiche-crops-');
    const open = path.join(dir, 'open');
    mkdirSync(open);
    await ramp(path.join(open, 'a.png'), 160, 120);
    await ramp(path.join(open, 'tiny.png'), 20, 20);
    writeFileSync(path.join(open, 'notes.txt'), 'not a photo');
    const crops = await ContentCrops.load(open, 64);
    expect(crops.files).toEqual([path.join(open, 'a.png')]);
    const batch = await crops.batch(new Rng(3), 2, { crop: 64, minScale: 0.55, flip: 0 });
    expect(batch.length).toBe(2 * 3 * 64 * 64);
    // Unmirrored: red grows left to right, green top to bottom, blue stays 128.
    const px = (c: number, x: number, y: number): number => batch[c * 64 * 64 + y * 64 + x] as number;
    expect(px(0, 60, 32)).toBeGreaterThan(px(0, 3, 32));
    expect(px(1, 32, 60)).toBeGreaterThan(px(1, 32, 3));
    expect(px(2, 10, 10)).toBeCloseTo(128, 0);
    const mirrored = await crops.batch(new Rng(3), 1, { crop: 64, minScale: 0.55, flip: 1 });
    const m = (x: number, y: number): number => mirrored[y * 64 + x] as number;
    expect(m(3, 32)).toBeGreaterThan(m(60, 32));
  });

  it('cuts the probe crops from the centre of photos spread evenly over the list, the same each time', async () => {
    expect(probeIndices(69, 8)).toEqual([0, 10, 19, 29, 39, 49, 58, 68]);
    expect(probeIndices(3, 8)).toEqual([0, 0, 1, 1, 1, 1, 2, 2]);
    expect([probeIndices(5, 1), probeIndices(5, 0)]).toEqual([[0], []]);
    const dir = tmpDir('pastiche-crops-');
    // Three photos told apart by their blue channel; each a ramp, so the crop's place shows.
    for (const [k, blue] of [10, 120, 240].entries()) await ramp(path.join(dir, `p${k}.png`), 160 + 40 * k, 100, blue);
    const crops = await ContentCrops.load(dir, 64);
    const probes = await crops.centreCrops(3, 32);
    expect(probes).toEqual(await crops.centreCrops(3, 32));
    const plane = 3 * 32 * 32;
    const mean = (k: number, c: number): number => probes.subarray(k * plane + c * 32 * 32, k * plane + (c + 1) * 32 * 32).reduce((a, b) => a + b, 0) / (32 * 32);
    for (const [k, blue] of [10, 120, 240].entries()) {
      expect(mean(k, 2)).toBeCloseTo(blue, 0);
      // The centre square: its red (x) and green (y) average to the middle of the ramps.
      expect(Math.abs(mean(k, 0) - 127.5)).toBeLessThan(2);
      expect(Math.abs(mean(k, 1) - 127.5)).toBeLessThan(2);
    }
    // Not mirrored: red grows left to right.
    expect(probes[31] as number).toBeGreaterThan(probes[0] as number);
  });

  it('names the folder without photos', async () => {
    const dir = tmpDir('pastiche-crops-');
    await expect(ContentCrops.load(dir, 64)).rejects.toThrow(`Expected training photos (.jpg, .jpeg, .png) in ${dir} but found none`);
  });
});

describe('the painting', () => {
  it('is reduced to the style size on its long edge (never enlarged), alpha dropped', async () => {
    const dir = tmpDir('pastiche-painting-');
    const big = await sharp({ create: { width: 1000, height: 600, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } })
      .png()
      .toFile(path.join(dir, 'big.png'))
      .then(() => path.join(dir, 'big.png'));
    const p = await decodeRgb(big, 512);
    expect([p.width, p.height, p.data.length]).toEqual([512, 307, 512 * 307 * 3]);
    const small = await ramp(path.join(dir, 'small.png'), 200, 100);
    expect(await decodeRgb(small, 512)).toMatchObject({ width: 200, height: 100 });
  });

  it.skipIf(!HAVE_REFERENCE)('is read colour-managed (a wide-gamut profile converted to sRGB), as the reference learner reads it', async () => {
    const dir = tmpDir('pastiche-painting-');
    // Saturated colours, stored in Display P3 with its profile embedded: the values differ from sRGB's.
    const file = await writeRgb(path.join(dir, 'p3.png'), 96, 64, (x, y) => [Math.round((x * 255) / 95), 40 + Math.round((y * 200) / 63), 255 - Math.round((x * 255) / 95)], 'p3');
    const p = await decodeRgb(file);
    const { stdout, bytes: ref } = reference(
      [
        'import sys, numpy as np',
        'from PIL import Image',
        'from training.core.data import load_rgb',
        'a = load_rgb(sys.argv[1]).permute(1, 2, 0).numpy()',
        'open(sys.argv[2], "wb").write(a.tobytes())',
        'naive = np.asarray(Image.open(sys.argv[1]).convert("RGB"), dtype=np.float64)',
        'print(float(np.abs(naive - a).mean()))',
      ],
      [file],
      path.join(dir, 'reference.rgb'),
    );
    expect(ref.length).toBe(p.data.length);
    let sum = 0;
    let max = 0;
    for (let i = 0; i < ref.length; i++) {
      const d = Math.abs((ref[i] as number) - (p.data[i] as number));
      sum += d;
      max = Math.max(max, d);
    }
    // libvips and LittleCMS round differently by at most one level.
    expect(sum / ref.length).toBeLessThan(0.1);
    expect(max).toBeLessThanOrEqual(1);
    // The profile matters: read as plain sRGB the same file is far off.
    expect(Number(stdout.trim())).toBeGreaterThan(2);
  });

  it.skipIf(!HAVE_REFERENCE)('gives the reference learner’s probe crops (training/core/data.py centre_crops)', async () => {
    const dir = tmpDir('pastiche-probes-');
    for (let k = 0; k < 5; k++) await writeRgb(path.join(dir, `p${k}.png`), 150 + 30 * k, 110 + 10 * k, (x, y) => [(x * 7 + k * 40) % 256, (y * 5) % 256, ((x + y) * 3) % 256]);
    const ts = await (await ContentCrops.load(dir, 64)).centreCrops(4, 48);
    const { bytes: b } = reference(
      [
        'import sys, torch',
        'from training.core.data import ContentCrops, list_images',
        'c = ContentCrops(list_images([sys.argv[1]]), 64, torch.device("cpu"))',
        'open(sys.argv[2], "wb").write(c.centre_crops(4, 48).numpy().astype("float32").tobytes())',
      ],
      [dir],
      path.join(dir, 'reference.f32'),
    );
    const py = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    expect(py.length).toBe(ts.length);
    let sum = 0;
    for (let i = 0; i < py.length; i++) sum += Math.abs((py[i] as number) - (ts[i] as number));
    // The same squares; libvips and PyTorch resample (and round) slightly differently.
    console.log(`[learn-crops.test] probe crops, TS vs PyTorch: mean abs difference ${(sum / py.length).toFixed(3)}`);
    expect(sum / py.length).toBeLessThan(3);
  });
});
