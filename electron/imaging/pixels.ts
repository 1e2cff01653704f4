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
export function rgbToTensor(rgb: Uint8Array, width: number, height: number, x0: number, y0: number, pw: number, ph: number, range: readonly [number, number] = [0, 255]): Float32Array {
  const plane = pw * ph;
  const t = new Float32Array(3 * plane);
  // Separate plane views and one source offset table: this loop runs per pixel of every photo.
  const r = t.subarray(0, plane);
  const g = t.subarray(plane, 2 * plane);
  const b = t.subarray(2 * plane);
  const scale = (range[1] - range[0]) / 255;
  const lo = range[0];
  const identity = scale === 1 && lo === 0;
  const xs = new Int32Array(pw);
  for (let x = 0; x < pw; x++) xs[x] = reflect(x0 + x, width) * 3;
  for (let y = 0; y < ph; y++) {
    const row = reflect(y0 + y, height) * width * 3;
    const d0 = y * pw;
    if (identity) {
      for (let x = 0; x < pw; x++) {
        const s = row + xs[x]!;
        const d = d0 + x;
        r[d] = rgb[s]!;
        g[d] = rgb[s + 1]!;
        b[d] = rgb[s + 2]!;
      }
    } else {
      for (let x = 0; x < pw; x++) {
        const s = row + xs[x]!;
        const d = d0 + x;
        r[d] = rgb[s]! * scale + lo;
        g[d] = rgb[s + 1]! * scale + lo;
        b[d] = rgb[s + 2]! * scale + lo;
      }
    }
  }
  return t;
}

/** Clamp to 0..255 and round half up (Math.round semantics, without the call). */
function toByte(v: number, lo: number, scale: number): number {
  const b = (v - lo) * scale;
  return b <= 0 ? 0 : b >= 255 ? 255 : (b + 0.5) | 0;
}

/** Top-left (w, h) crop of a planar [3, ph, pw] output as interleaved 8-bit RGB. */
export function tensorToRgb(t: Float32Array, pw: number, ph: number, w: number, h: number, range: readonly [number, number] = [0, 255]): Buffer {
  const out = Buffer.allocUnsafe(w * h * 3);
  const plane = pw * ph;
  const r = t.subarray(0, plane);
  const g = t.subarray(plane, 2 * plane);
  const b = t.subarray(2 * plane, 3 * plane);
  const scale = 255 / (range[1] - range[0]);
  const lo = range[0];
  let d = 0;
  for (let y = 0; y < h; y++) {
    const s0 = y * pw;
    for (let x = 0; x < w; x++) {
      const s = s0 + x;
      out[d] = toByte(r[s]!, lo, scale);
      out[d + 1] = toByte(g[s]!, lo, scale);
      out[d + 2] = toByte(b[s]!, lo, scale);
      d += 3;
    }
  }
  return out;
}

/**
 * Interleaved RGB padded to (pw, ph) by mirroring, as rgbToTensor pads: the 8-bit input of graphs
 * that take RGB bytes (training/deploy/rgb8.py). The image itself when no padding is needed.
 */
export function padRgb(rgb: Uint8Array, width: number, height: number, pw: number, ph: number): Uint8Array {
  if (pw === width && ph === height) return rgb;
  if (pw < width || ph < height) throw new RangeError(`cannot pad ${width}x${height} to ${pw}x${ph}`);
  const out = new Uint8Array(pw * ph * 3);
  const rowBytes = width * 3;
  for (let y = 0; y < ph; y++) {
    const s = reflect(y, height) * rowBytes;
    const d = y * pw * 3;
    out.set(rgb.subarray(s, s + rowBytes), d);
    for (let x = width; x < pw; x++) {
      const sx = s + reflect(x, width) * 3;
      const dx = d + x * 3;
      out[dx] = rgb[sx]!;
      out[dx + 1] = rgb[sx + 1]!;
      out[dx + 2] = rgb[sx + 2]!;
    }
  }
  return out;
}

/** Top-left (w, h) crop of interleaved (pw, ph) RGB, as a Buffer over the same memory when nothing is cut (the height is not needed: rows are cut from the top). */
export function cropRgb(rgb: Uint8Array, pw: number, _ph: number, w: number, h: number): Buffer {
  if (pw === w) return Buffer.from(rgb.buffer, rgb.byteOffset, w * h * 3);
  const out = Buffer.allocUnsafe(w * h * 3);
  for (let y = 0; y < h; y++) out.set(rgb.subarray(y * pw * 3, y * pw * 3 + w * 3), y * w * 3);
  return out;
}

/**
 * Weighted blend of overlapping tiles into 8-bit RGB. Only a band of rows is kept in float
 * (sum + weight, 16 bytes a pixel): tiles arrive row by row, and once a tile row starts at y every
 * image row above y is final and is written out as bytes. With `bandRows` = the tallest tile row,
 * a 300 MP photo needs its 3-byte output plus one band instead of 16 bytes a pixel.
 */
export class TileAccumulator {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;
  private readonly out: Buffer;
  private readonly lo: number;
  private readonly scale: number;
  /** Image row held in band row 0; rows above it are already in `out`. */
  private top = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    range: readonly [number, number] = [0, 255],
    private readonly bandRows: number = height,
  ) {
    this.sum = new Float32Array(width * bandRows * 3);
    this.weight = new Float32Array(width * bandRows);
    this.out = Buffer.allocUnsafe(width * height * 3);
    this.lo = range[0];
    this.scale = 255 / (range[1] - range[0]);
  }

  /** Adds the (w, h) top-left crop of a planar [3, ph, pw] tile at (x0, y0), weights wx * wy. */
  add(t: Float32Array, pw: number, ph: number, x0: number, y0: number, w: number, h: number, wx: Float32Array, wy: Float32Array): void {
    if (y0 < this.top) throw new Error(`tile at row ${y0} arrived after rows up to ${this.top} were written`);
    this.flushTo(y0);
    if (y0 + h - this.top > this.bandRows) throw new Error(`tile rows ${y0}-${y0 + h} do not fit the ${this.bandRows}-row band`);
    const plane = pw * ph;
    const r = t.subarray(0, plane);
    const g = t.subarray(plane, 2 * plane);
    const b = t.subarray(2 * plane, 3 * plane);
    const sum = this.sum;
    const weight = this.weight;
    const W = this.width;
    for (let y = 0; y < h; y++) {
      const fy = wy[y]!;
      if (fy === 0) continue;
      const s0 = y * pw;
      const p0 = (y0 - this.top + y) * W + x0;
      for (let x = 0; x < w; x++) {
        const f = fy * wx[x]!;
        if (f === 0) continue;
        const s = s0 + x;
        const p = p0 + x;
        const d = p * 3;
        sum[d] = sum[d]! + f * r[s]!;
        sum[d + 1] = sum[d + 1]! + f * g[s]!;
        sum[d + 2] = sum[d + 2]! + f * b[s]!;
        weight[p] = weight[p]! + f;
      }
    }
  }

  /** All rows blended: the interleaved 8-bit RGB image. */
  toRgb(): Buffer {
    this.flushTo(this.height);
    return this.out;
  }

  /** Writes image rows [top, y) as bytes and slides the band down so row y is band row 0. */
  private flushTo(y: number): void {
    const rows = Math.min(y, this.height) - this.top;
    if (rows <= 0) return;
    const W = this.width;
    const sum = this.sum;
    const weight = this.weight;
    const out = this.out;
    const n = rows * W;
    for (let p = 0, d = 0, o = this.top * W * 3; p < n; p++, d += 3, o += 3) {
      const wt = weight[p]!;
      if (!(wt > 0)) throw new Error(`tiling left pixel ${p % W},${this.top + Math.floor(p / W)} uncovered`);
      out[o] = toByte(sum[d]! / wt, this.lo, this.scale);
      out[o + 1] = toByte(sum[d + 1]! / wt, this.lo, this.scale);
      out[o + 2] = toByte(sum[d + 2]! / wt, this.lo, this.scale);
    }
    // Keep the band rows below y (the overlap with the next tile row), clear the rest.
    sum.copyWithin(0, n * 3);
    weight.copyWithin(0, n);
    sum.fill(0, sum.length - n * 3);
    weight.fill(0, weight.length - n);
    this.top += rows;
  }
}

/**
 * Gatys et al. 2016 "luminance-only transfer": keep the stylized luminance, take chroma from
 * the photo (YIQ), so the painting keeps the photo's colours. In place on `stylized`.
 */
export function preserveColors(stylized: Uint8Array, photo: Uint8Array): void {
  const n = stylized.length;
  for (let i = 0; i < n; i += 3) {
    const r = stylized[i]!,
      g = stylized[i + 1]!,
      b = stylized[i + 2]!;
    const pr = photo[i]!,
      pg = photo[i + 1]!,
      pb = photo[i + 2]!;
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    const ci = 0.596 * pr - 0.274 * pg - 0.322 * pb;
    const cq = 0.211 * pr - 0.523 * pg + 0.312 * pb;
    stylized[i] = clampByte(y + 0.956 * ci + 0.621 * cq);
    stylized[i + 1] = clampByte(y - 0.272 * ci - 0.647 * cq);
    stylized[i + 2] = clampByte(y - 1.106 * ci + 1.703 * cq);
  }
}

/** Linear mix: 0 = photo, 1 = stylized. In place on `stylized`. */
export function applyStrength(stylized: Uint8Array, photo: Uint8Array, strength: number): void {
  if (strength >= 1) return;
  const n = stylized.length;
  for (let i = 0; i < n; i++) {
    const p = photo[i]!;
    stylized[i] = clampByte(p + strength * (stylized[i]! - p));
  }
}

/** Clamp and round half up, like Math.round (values are finite here). */
function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}
