// Pixel plumbing between interleaved 8-bit RGB and the models' planar float tensors, plus the
// post-processing (colour preservation, strength). Pure functions on typed arrays.

/** Mirror index into [0, n) without repeating the edge pixel (like numpy 'reflect'). */
export function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let k = i % period;
  if (k < 0) k += period;
  return k < n ? k : period - k;
}

/**
 * Planar [3, ph, pw] float tensor of the window (x0, y0, pw, ph) of an image, mirrored where
 * the window runs past the image (padding to the model's multiple, tile edges).
 */
export function rgbToTensor(
  rgb: Uint8Array, width: number, height: number,
  x0: number, y0: number, pw: number, ph: number,
  range: readonly [number, number] = [0, 255],
): Float32Array {
  const plane = pw * ph;
  const t = new Float32Array(3 * plane);
  const scale = (range[1] - range[0]) / 255;
  const lo = range[0];
  const xs = new Int32Array(pw);
  for (let x = 0; x < pw; x++) xs[x] = reflect(x0 + x, width);
  for (let y = 0; y < ph; y++) {
    const row = reflect(y0 + y, height) * width;
    for (let x = 0; x < pw; x++) {
      const s = (row + (xs[x] as number)) * 3;
      const d = y * pw + x;
      t[d] = (rgb[s] as number) * scale + lo;
      t[plane + d] = (rgb[s + 1] as number) * scale + lo;
      t[2 * plane + d] = (rgb[s + 2] as number) * scale + lo;
    }
  }
  return t;
}

function toByte(v: number, lo: number, scale: number): number {
  const b = (v - lo) * scale;
  return b <= 0 ? 0 : b >= 255 ? 255 : Math.round(b);
}

/** Top-left (w, h) crop of a planar [3, ph, pw] output as interleaved 8-bit RGB. */
export function tensorToRgb(t: Float32Array, pw: number, ph: number, w: number, h: number, range: readonly [number, number] = [0, 255]): Buffer {
  const out = Buffer.allocUnsafe(w * h * 3);
  const plane = pw * ph;
  const scale = 255 / (range[1] - range[0]);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = y * pw + x;
      const d = (y * w + x) * 3;
      out[d] = toByte(t[s] as number, range[0], scale);
      out[d + 1] = toByte(t[plane + s] as number, range[0], scale);
      out[d + 2] = toByte(t[2 * plane + s] as number, range[0], scale);
    }
  }
  return out;
}

/** Weighted accumulation of tile outputs: the blender of tiled inference. */
export class TileAccumulator {
  readonly sum: Float32Array;
  readonly weight: Float32Array;

  constructor(readonly width: number, readonly height: number) {
    this.sum = new Float32Array(width * height * 3);
    this.weight = new Float32Array(width * height);
  }

  /** Adds the (w, h) top-left crop of a planar [3, ph, pw] tile at (x0, y0), weights wx * wy. */
  add(t: Float32Array, pw: number, ph: number, x0: number, y0: number, w: number, h: number, wx: Float32Array, wy: Float32Array): void {
    const plane = pw * ph;
    for (let y = 0; y < h; y++) {
      const fy = wy[y] as number;
      if (fy === 0) continue;
      for (let x = 0; x < w; x++) {
        const f = fy * (wx[x] as number);
        if (f === 0) continue;
        const s = y * pw + x;
        const p = (y0 + y) * this.width + x0 + x;
        const d = p * 3;
        this.sum[d] = (this.sum[d] as number) + f * (t[s] as number);
        this.sum[d + 1] = (this.sum[d + 1] as number) + f * (t[plane + s] as number);
        this.sum[d + 2] = (this.sum[d + 2] as number) + f * (t[2 * plane + s] as number);
        this.weight[p] = (this.weight[p] as number) + f;
      }
    }
  }

  toRgb(range: readonly [number, number] = [0, 255]): Buffer {
    const n = this.width * this.height;
    const out = Buffer.allocUnsafe(n * 3);
    const scale = 255 / (range[1] - range[0]);
    for (let p = 0; p < n; p++) {
      const w = this.weight[p] as number;
      if (!(w > 0)) throw new Error(`tiling left pixel ${p % this.width},${Math.floor(p / this.width)} uncovered`);
      for (let c = 0; c < 3; c++) out[p * 3 + c] = toByte((this.sum[p * 3 + c] as number) / w, range[0], scale);
    }
    return out;
  }
}

/**
 * Gatys et al. 2016 "luminance-only transfer": keep the stylized luminance, take chroma from
 * the photo (YIQ), so the painting keeps the photo's colours. In place on `stylized`.
 */
export function preserveColors(stylized: Buffer, photo: Uint8Array): void {
  for (let i = 0; i < stylized.length; i += 3) {
    const r = stylized[i] as number, g = stylized[i + 1] as number, b = stylized[i + 2] as number;
    const pr = photo[i] as number, pg = photo[i + 1] as number, pb = photo[i + 2] as number;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    const ci = 0.596 * pr - 0.274 * pg - 0.322 * pb;
    const cq = 0.211 * pr - 0.523 * pg + 0.312 * pb;
    stylized[i] = clampByte(y + 0.956 * ci + 0.621 * cq);
    stylized[i + 1] = clampByte(y - 0.272 * ci - 0.647 * cq);
    stylized[i + 2] = clampByte(y - 1.106 * ci + 1.703 * cq);
  }
}

/** Linear mix: 0 = photo, 1 = stylized. In place on `stylized`. */
export function applyStrength(stylized: Buffer, photo: Uint8Array, strength: number): void {
  if (strength >= 1) return;
  for (let i = 0; i < stylized.length; i++) {
    stylized[i] = clampByte((photo[i] as number) + strength * ((stylized[i] as number) - (photo[i] as number)));
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
