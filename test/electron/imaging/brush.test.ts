import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { lumaLaplacian, meanAbsDiff } from '../../../electron/common/image-metrics.js';
import { DETAIL_PIXELS, addResidual, brushResidual, brushPlan, composeDetail } from '../../../electron/imaging/brush.js';

const resize = (rgb: Uint8Array, w: number, h: number, tw: number, th: number): Promise<Buffer> =>
  sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .resize(tw, th, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();

/** Deterministic texture with strokes at two scales: coarse diagonal bands plus fine speckle. */
function texture(w: number, h: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(w * h * 3);
  let s = seed;
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i += 3) {
      s = (s * 1103515245 + 12345) >>> 0;
      const coarse = 128 + 80 * Math.sin((x + y) / 9);
      const fine = ((s >>> 16) & 63) - 32;
      out[i] = Math.max(0, Math.min(255, coarse + fine));
      out[i + 1] = Math.max(0, Math.min(255, 255 - coarse + fine / 2));
      out[i + 2] = Math.max(0, Math.min(255, 100 + fine));
    }
  }
  return out;
}

describe('brushPlan', () => {
  it('paints at the output size for native and outputs within the brush', () => {
    expect(brushPlan(768, 512, 1024)).toEqual({ mode: 'paint', brushWidth: 768, brushHeight: 512, detailWidth: 768, detailHeight: 512 });
    expect(brushPlan(1024, 683, 1024).mode).toBe('paint');
    expect(brushPlan(4352, 2448, 'native')).toEqual({ mode: 'paint', brushWidth: 4352, brushHeight: 2448, detailWidth: 4352, detailHeight: 2448 });
  });

  it('keeps the aspect ratio and the long edge of the brush, portrait too', () => {
    expect(brushPlan(4352, 2448, 1024)).toMatchObject({ mode: 'two-scale', brushWidth: 1024, brushHeight: 576 });
    expect(brushPlan(2056, 3088, 1024)).toMatchObject({ brushWidth: 682, brushHeight: 1024 });
  });

  it('caps the detail pass at the tile budget, at 3x the brush and at the output', () => {
    const p = brushPlan(4352, 2448, 1024);
    expect(p.detailWidth * p.detailHeight).toBeLessThanOrEqual(DETAIL_PIXELS);
    expect(p.detailWidth).toBeGreaterThan(2 * 1024);
    // Small brush: 3x the brush is within the budget.
    expect(brushPlan(4352, 2448, 512)).toMatchObject({ detailWidth: 1536, detailHeight: 864 });
    // Output under 1.5x the brush: a detail pass would be the output itself; enlarged only.
    expect(brushPlan(1400, 788, 1024)).toEqual({ mode: 'enlarge', brushWidth: 1024, brushHeight: 576, detailWidth: 1024, detailHeight: 576 });
    expect(brushPlan(768, 512, 768).mode).toBe('paint');
    expect(brushPlan(768, 512, 512)).toMatchObject({ mode: 'enlarge', brushWidth: 512, brushHeight: 341 });
    expect(brushPlan(768, 512, 511).mode).toBe('two-scale');
    expect(brushPlan(1537, 864, 1024).mode).toBe('two-scale');
    // Mid-size output: at most a third of its pixels.
    const m = brushPlan(3088, 2056, 1024);
    expect(m.detailWidth * m.detailHeight).toBeLessThanOrEqual((3088 * 2056) / 3);
    expect(m.detailWidth).toBeGreaterThanOrEqual(1536);
    // Big brush: never under 1.5x the brush, even above the budget.
    expect(brushPlan(6028, 3391, 2048)).toMatchObject({ detailWidth: 3072 });
  });

  it('rejects an empty size', () => {
    expect(() => brushPlan(0, 10, 1024)).toThrow('Expected a positive size but received 0x10');
  });
});

describe('composeDetail', () => {
  it('adds the detail band and clamps', () => {
    const out = composeDetail(Uint8Array.from([100, 250, 5]), Uint8Array.from([120, 255, 0]), Uint8Array.from([110, 200, 50]));
    expect([...out]).toEqual([110, 255, 0]);
    expect([...composeDetail(Uint8Array.from([100]), Uint8Array.from([120]), Uint8Array.from([110]), 0.5)]).toEqual([105]);
  });

  it('rejects images of different sizes', () => {
    expect(() => composeDetail(new Uint8Array(6), new Uint8Array(6), new Uint8Array(3))).toThrow('Expected three images of 6 bytes but received 6, 6 and 3');
  });

  it('reduced to the brush size, the blend is the brush painting; at full size it is sharper than Lanczos', async () => {
    // A "painting" at the brush size (96x64) and a finer one at 2x: the blend at 4x keeps the first
    // at its own size and gains the second's detail.
    const bw = 96,
      bh = 64,
      W = 384,
      H = 256;
    const brushPaint = await resize(texture(W, H, 7), W, H, bw, bh);
    const detail = texture(2 * bw, 2 * bh, 3);
    const base = await resize(brushPaint, bw, bh, W, H);
    const dUp = await resize(detail, 2 * bw, 2 * bh, W, H);
    const dLow = await resize(await resize(detail, 2 * bw, 2 * bh, bw, bh), bw, bh, W, H);
    const out = composeDetail(base, dUp, dLow);
    const roundTrip = meanAbsDiff(await resize(base, W, H, bw, bh), brushPaint);
    const back = meanAbsDiff(await resize(out, W, H, bw, bh), brushPaint);
    expect(back).toBeLessThan(roundTrip + 3);
    expect(lumaLaplacian(out, W, H)).toBeGreaterThan(1.5 * lumaLaplacian(base, W, H));
  });
});

describe('back-projection', () => {
  it('residual is offset by 128 and clamped; adding it back restores the target', () => {
    expect([...brushResidual(Uint8Array.from([10, 200, 0, 255]), Uint8Array.from([20, 100, 255, 0]))]).toEqual([118, 228, 0, 255]);
    expect([...addResidual(Uint8Array.from([20, 100, 250]), Uint8Array.from([118, 228, 138]))]).toEqual([10, 200, 255]);
    expect(() => brushResidual(new Uint8Array(3), new Uint8Array(6))).toThrow('Expected images of equal size but received 3 and 6 bytes');
    expect(() => addResidual(new Uint8Array(3), new Uint8Array(6))).toThrow('Expected images of equal size but received 3 and 6 bytes');
  });

  it('one step brings a Lanczos enlargement, reduced again, closer to the painting', async () => {
    const bw = 96,
      bh = 64,
      W = 384,
      H = 256;
    const paint = texture(bw, bh, 5);
    const up = await resize(paint, bw, bh, W, H);
    const before = meanAbsDiff(await resize(up, W, H, bw, bh), paint);
    const residual = brushResidual(paint, await resize(up, W, H, bw, bh));
    const after = meanAbsDiff(await resize(addResidual(Buffer.from(up), await resize(residual, bw, bh, W, H)), W, H, bw, bh), paint);
    expect(before).toBeGreaterThan(2);
    expect(after).toBeLessThan(0.7 * before);
  });
});

describe('metrics', () => {
  it('lumaLaplacian is 0 on flat and linear images, positive on texture', () => {
    expect(lumaLaplacian(Buffer.alloc(10 * 10 * 3, 77), 10, 10)).toBe(0);
    const ramp = Buffer.allocUnsafe(10 * 10 * 3);
    for (let i = 0; i < 100; i++) ramp.fill((i % 10) * 10, 3 * i, 3 * i + 3);
    expect(lumaLaplacian(ramp, 10, 10)).toBeCloseTo(0, 6);
    expect(lumaLaplacian(texture(32, 32), 32, 32)).toBeGreaterThan(5);
    expect(() => lumaLaplacian(new Uint8Array(5), 2, 2)).toThrow('Expected 12 bytes for 2x2 RGB but received 5');
  });

  it('meanAbsDiff', () => {
    expect(meanAbsDiff(Uint8Array.from([0, 10, 255]), Uint8Array.from([3, 10, 250]))).toBeCloseTo(8 / 3, 10);
    expect(() => meanAbsDiff(new Uint8Array(3), new Uint8Array(4))).toThrow('Expected images of equal size but received 3 and 4 bytes');
  });
});
