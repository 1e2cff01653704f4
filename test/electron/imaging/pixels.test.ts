import { describe, expect, it } from 'vitest';
import { cropRgb, padRgb, reflect, rgbToTensor, tensorToRgb } from '../../../electron/imaging/pixels.js';

function photo(w: number, h: number): Uint8Array {
  const b = new Uint8Array(w * h * 3);
  for (let i = 0; i < b.length; i++) b[i] = (i * 37 + (i >> 5)) & 255;
  return b;
}

/** Interleaved bytes as the planar float tensor the float graphs take. */
function planar(rgb: Uint8Array, w: number, h: number): Float32Array {
  return rgbToTensor(rgb, w, h, 0, 0, w, h);
}

describe('8-bit RGB padding and cropping (graphs with 8-bit I/O)', () => {
  it('reflect mirrors without repeating the edge pixel', () => {
    expect([-2, -1, 0, 4, 5, 6].map((i) => reflect(i, 5))).toEqual([2, 1, 0, 4, 3, 2]);
  });

  it('padRgb pads exactly as rgbToTensor does for the float graphs', () => {
    const [w, h, pw, ph] = [13, 7, 16, 12];
    const rgb = photo(w, h);
    const padded = padRgb(rgb, w, h, pw, ph);
    expect(padded.length).toBe(pw * ph * 3);
    expect(planar(padded, pw, ph)).toEqual(rgbToTensor(rgb, w, h, 0, 0, pw, ph));
  });

  it('padRgb returns the image itself when it already fits', () => {
    const rgb = photo(8, 4);
    expect(padRgb(rgb, 8, 4, 8, 4)).toBe(rgb);
  });

  it('padRgb refuses to shrink', () => {
    expect(() => padRgb(photo(8, 4), 8, 4, 4, 4)).toThrow('cannot pad 8x4 to 4x4');
  });

  it('cropRgb cuts the padding off as tensorToRgb does', () => {
    const [pw, ph, w, h] = [16, 12, 13, 7];
    const padded = photo(pw, ph);
    expect(cropRgb(padded, pw, ph, w, h).equals(tensorToRgb(planar(padded, pw, ph), pw, ph, w, h))).toBe(true);
  });

  it('cropRgb shares memory when only rows are cut', () => {
    const padded = photo(8, 6);
    const c = cropRgb(padded, 8, 6, 8, 4);
    expect(c.length).toBe(8 * 4 * 3);
    expect(c.buffer).toBe(padded.buffer);
  });
});
