// What the style learner feeds its graphs (training/core/data.py ContentCrops, training/core/train.py
// style_targets): the training photos decoded once, random square crops of them with scale jitter
// resized to the crop size and mirrored at random, and the painting at the style size.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { rgbToTensor } from './pixels.js';

/** The photo types training/core/data.py lists (IMAGE_EXT). */
const PHOTO_EXT = /\.(jpe?g|png)$/i;

/** A seeded uniform generator (mulberry32): the same seed gives the same crops on every machine. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
  uniform(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
}

export interface Rgb8 {
  data: Buffer;
  width: number;
  height: number;
}

/** Decoded 8-bit RGB (alpha dropped, greyscale expanded, as PIL's convert('RGB')), reduced to longEdge with Lanczos if larger. */
export async function decodeRgb(file: string, longEdge = 0): Promise<Rgb8> {
  let img = sharp(file).removeAlpha().toColourspace('srgb');
  if (longEdge > 0) {
    const m = await sharp(file).metadata();
    const w = m.width ?? 0;
    const h = m.height ?? 0;
    if (Math.max(w, h) > longEdge) {
      const s = longEdge / Math.max(w, h);
      img = img.resize(Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s)), { kernel: 'lanczos3', fit: 'fill' });
    }
  }
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`Expected 3 colour channels in ${file} but received ${info.channels}`);
  return { data, width: info.width, height: info.height };
}

/** One crop's place: a square of `side` at (left, top), mirrored or not. */
export interface CropBox {
  index: number;
  left: number;
  top: number;
  side: number;
  flip: boolean;
}

/** ContentCrops.batch's draws for one crop, in its order: photo, side, y, x, mirror. */
export function drawCrop(rng: Rng, sizes: readonly { width: number; height: number }[], minScale: number, flipP: number): CropBox {
  const index = rng.below(sizes.length);
  const { width: w, height: h } = sizes[index] as { width: number; height: number };
  const side = Math.max(Math.floor(Math.min(h, w) * rng.uniform(minScale, 1)), 16);
  const top = rng.below(h - side + 1);
  const left = rng.below(w - side + 1);
  return { index, left, top, side, flip: rng.next() < flipP };
}

/** round(i (photos - 1) / (n - 1)) for i < n: the first and the last photo, and evenly between. */
export function probeIndices(photos: number, n: number): number[] {
  if (n <= 1) return n === 1 ? [0] : [];
  return Array.from({ length: n }, (_, i) => Math.floor((i * (photos - 1)) / (n - 1) + 0.5));
}

export interface CropRecipe {
  crop: number;
  minScale: number;
  flip: number;
}

export class ContentCrops {
  private constructor(
    readonly photos: Rgb8[],
    readonly files: string[],
  ) {}

  /** Every photo of dir decoded once; photos with a side under half the crop are left out, as in training. */
  static async load(dir: string, crop: number): Promise<ContentCrops> {
    const files = (await readdir(dir))
      .filter((n) => PHOTO_EXT.test(n))
      .sort()
      .map((n) => path.join(dir, n));
    if (files.length === 0) throw new Error(`Expected training photos (.jpg, .jpeg, .png) in ${dir} but found none`);
    const photos: Rgb8[] = [];
    const kept: string[] = [];
    // Two at a time: libvips threads each decode, and the learner's machine may be small.
    for (let i = 0; i < files.length; i += 2) {
      const got = await Promise.all(files.slice(i, i + 2).map((f) => decodeRgb(f)));
      got.forEach((p, k) => {
        if (Math.min(p.width, p.height) >= crop / 2) {
          photos.push(p);
          kept.push(files[i + k] as string);
        }
      });
    }
    if (photos.length === 0) throw new Error(`Expected training photos of at least ${crop / 2} px a side in ${dir} but found none`);
    return new ContentCrops(photos, kept);
  }

  get length(): number {
    return this.photos.length;
  }

  /** One crop, resized to crop x crop (bilinear; libvips reduces with the kernel widened, i.e. antialiased). */
  async cropRgb(box: CropBox, crop: number): Promise<Buffer> {
    const p = this.photos[box.index] as Rgb8;
    let img = sharp(p.data, { raw: { width: p.width, height: p.height, channels: 3 } })
      .extract({ left: box.left, top: box.top, width: box.side, height: box.side })
      .resize(crop, crop, { kernel: 'linear', fit: 'fill' });
    if (box.flip) img = img.flop();
    return img.raw().toBuffer();
  }

  /**
   * [n, 3, size, size]: the centre square of n photos spread evenly over the sorted list (probeIndices),
   * resized to size, not mirrored. No draws: the start is judged on the same crops in every run, and
   * in the reference learner (training/core/data.py centre_crops).
   */
  async centreCrops(n: number, size: number): Promise<Float32Array> {
    const plane = 3 * size * size;
    const out = new Float32Array(n * plane);
    for (const [k, index] of probeIndices(this.photos.length, n).entries()) {
      const { width, height } = this.photos[index] as Rgb8;
      const side = Math.min(width, height);
      const box = { index, left: Math.floor((width - side) / 2), top: Math.floor((height - side) / 2), side, flip: false };
      out.set(rgbToTensor(await this.cropRgb(box, size), size, size, 0, 0, size, size), k * plane);
    }
    return out;
  }

  /** A batch [n, 3, crop, crop] of planar float32 RGB 0-255. */
  async batch(rng: Rng, n: number, r: CropRecipe): Promise<Float32Array> {
    const plane = 3 * r.crop * r.crop;
    const out = new Float32Array(n * plane);
    for (let i = 0; i < n; i++) {
      const box = drawCrop(rng, this.photos, r.minScale, r.flip);
      out.set(rgbToTensor(await this.cropRgb(box, r.crop), r.crop, r.crop, 0, 0, r.crop, r.crop), i * plane);
    }
    return out;
  }
}
