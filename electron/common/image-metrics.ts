// Picture metrics on interleaved 8-bit RGB, shared by the brush code and `pastiche bench`.
// Pure: imports nothing.

/** Mean |4-neighbour Laplacian| of luminance (Rec. 601) over the interior: sharpness at 100 %. */
export function lumaLaplacian(rgb: Uint8Array, width: number, height: number): number {
  if (rgb.length !== width * height * 3) throw new RangeError(`Expected ${width * height * 3} bytes for ${width}x${height} RGB but received ${rgb.length}`);
  if (width < 3 || height < 3) return 0;
  const y = new Float32Array(width * height);
  for (let i = 0, j = 0; i < y.length; i++, j += 3) y[i] = 0.299 * rgb[j]! + 0.587 * rgb[j + 1]! + 0.114 * rgb[j + 2]!;
  let sum = 0;
  for (let r = 1; r < height - 1; r++) {
    for (let c = 1, i = r * width + 1; c < width - 1; c++, i++) {
      sum += Math.abs(4 * y[i]! - y[i - 1]! - y[i + 1]! - y[i - width]! - y[i + width]!);
    }
  }
  return sum / ((width - 2) * (height - 2));
}

/** Mean |a - b| over all bytes (0-255). */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new RangeError(`Expected images of equal size but received ${a.length} and ${b.length} bytes`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}
