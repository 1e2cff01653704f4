import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meanAbsDiff } from '../../../electron/common/image-metrics.js';
import { brushPlan } from '../../../electron/imaging/brush.js';
import { runPreview, runStylize, stylizePixels, type ModelRunner } from '../../../electron/imaging/pipeline.js';
import { roundUp } from '../../../electron/imaging/tiling.js';
import type { ModelSpec } from '../../../electron/common/worker-protocol.js';

const model: ModelSpec = {
  id: 'fake',
  path: 'fake.onnx',
  tilesPath: 'fake-tiles.onnx',
  singlePath: 'fake-single.onnx',
  fp16Path: null,
  fp16TilesPath: null,
  int8Path: null,
  io: { input: 'input', output: 'output', styleWeights: null, stats: 'stats', statsSize: 4, layout: 'NCHW', channels: 'RGB', range: [0, 255], multipleOf: 4 },
  receptiveField: 8,
  weights: null,
};

/** An identity "model" that records which graph each call used. */
function fakeRunner(withSingle: boolean): ModelRunner & { calls: string[] } {
  const calls: string[] = [];
  const r: ModelRunner & { calls: string[] } = {
    provider: 'cpu',
    fallbackReason: undefined,
    calls,
    full: async (input) => {
      calls.push('full');
      return { output: input.slice(), stats: new Float32Array(8) };
    },
    tile: async (input) => {
      calls.push('tile');
      return input.slice();
    },
  };
  if (withSingle) {
    r.single = async (input) => {
      calls.push('single');
      return input.slice();
    };
  }
  return r;
}

function photo(w: number, h: number): Buffer {
  const b = Buffer.alloc(w * h * 3);
  for (let i = 0; i < b.length; i++) b[i] = (i * 37 + (i >> 5)) & 255;
  return b;
}

describe('stylizePixels: which graph runs', () => {
  const never = { cancelled: false };

  it('a photo within the tile budget uses the single-pass graph (no statistics)', async () => {
    const runner = fakeRunner(true);
    const rgb = photo(62, 46);
    const r = await stylizePixels(rgb, 62, 46, runner, { model, tilePixels: 10_000, statsEdge: 32 }, never);
    expect(runner.calls).toEqual(['single']);
    expect(r.tiles).toBe(1);
    expect(r.rgb.equals(rgb)).toBe(true);
  });

  it('without a single-pass graph the full graph runs, its statistics unread', async () => {
    const runner = fakeRunner(false);
    const rgb = photo(62, 46);
    const r = await stylizePixels(rgb, 62, 46, runner, { model, tilePixels: 10_000, statsEdge: 32 }, never);
    expect(runner.calls).toEqual(['full']);
    expect(r.rgb.equals(rgb)).toBe(true);
  });

  it('a photo above the budget: the full graph once for statistics, then tiles; never the single graph', async () => {
    const runner = fakeRunner(true);
    const rgb = photo(200, 120);
    const r = await stylizePixels(rgb, 200, 120, runner, { model, tilePixels: 6_000, statsEdge: 64 }, never);
    expect(runner.calls[0]).toBe('full');
    expect(runner.calls.slice(1).every((c) => c === 'tile')).toBe(true);
    expect(r.tiles).toBe(runner.calls.length - 1);
    expect(r.tiles).toBeGreaterThan(1);
    expect(r.rgb.equals(rgb)).toBe(true);
  });
});

/**
 * A "painter" whose strokes have a fixed size in pixels, like the generator's: a 7x7 box blur
 * with a boost of what it removed inverted (dark halos of a fixed width). Painted at another
 * size, the picture looks different, so the brush matters.
 */
function blockPainter(): ModelRunner & { sizes: string[] } {
  const sizes: string[] = [];
  const paint = (rgb: Uint8Array, h: number, w: number): Uint8Array => {
    const out = new Uint8Array(rgb.length);
    const r = 3;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 3; c++) {
          let s = 0;
          let n = 0;
          for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++, n++) s += rgb[(yy * w + xx) * 3 + c]!;
          const v = rgb[(y * w + x) * 3 + c]!;
          out[(y * w + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(s / n - 0.5 * (v - s / n))));
        }
      }
    }
    return out;
  };
  return {
    provider: 'cpu',
    fallbackReason: undefined,
    sizes,
    tile: null,
    full: async () => {
      throw new Error('not used');
    },
    single: async (rgb, h, w) => {
      sizes.push(`${w}x${h}`);
      return paint(rgb, h, w);
    },
  };
}

async function writePhoto(dir: string, name: string, w: number, h: number): Promise<string> {
  const rgb = Buffer.alloc(w * h * 3);
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i += 3) {
      rgb[i] = 128 + 100 * Math.sin(x / 23 + y / 41);
      rgb[i + 1] = 128 + 100 * Math.sin(y / 17);
      rgb[i + 2] = 128 + 60 * Math.sin(x / 13) * Math.sin(y / 17);
    }
  }
  const file = path.join(dir, name);
  await sharp(rgb, { raw: { width: w, height: h, channels: 3 } })
    .png()
    .toFile(file);
  return file;
}

async function rgbOf(data: Buffer | string, w?: number, h?: number): Promise<{ rgb: Buffer; width: number; height: number }> {
  let p = sharp(data).removeAlpha();
  if (w && h) p = p.resize(w, h, { fit: 'fill', kernel: 'lanczos3' });
  const { data: rgb, info } = await p.raw().toBuffer({ resolveWithObject: true });
  return { rgb, width: info.width, height: info.height };
}

describe('brush: the export and every preview follow one plan', () => {
  const never = { cancelled: false };
  const settings = (brush: number | 'native') => ({
    model,
    brush,
    allowUpscale: false,
    strength: 1,
    preserveColors: false,
    device: 'cpu' as const,
    threads: 1,
    maxPixels: 1e9,
    tilePixels: 10_000_000,
    statsEdge: 256,
  });
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'pastiche-brush-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const exportOf = async (input: string, brush: number | 'native', size: number | 'original' = 'original', brushChosen = true) => {
    const output = path.join(dir, `out-${Math.random().toString(36).slice(2)}.png`);
    const runner = blockPainter();
    const r = await runStylize({ ...settings(brush), brushChosen, size, input, output, tmp: `${output}.tmp`, format: 'png', quality: 90, keepMetadata: false, stripGps: true }, runner, never);
    return { r, runner, output };
  };

  it('export above the brush: a brush pass, a detail pass, blended at the output size', async () => {
    const input = await writePhoto(dir, 'a.png', 1200, 800);
    const { r, runner } = await exportOf(input, 256);
    const plan = brushPlan(1200, 800, 256);
    expect(plan.mode).toBe('two-scale');
    // The runner sees each pass padded to the model's multiple of 4.
    expect(runner.sizes).toEqual([`${roundUp(plan.brushWidth, 4)}x${roundUp(plan.brushHeight, 4)}`, `${roundUp(plan.detailWidth, 4)}x${roundUp(plan.detailHeight, 4)}`]);
    expect(r.timings.passes.map((p) => p.kind)).toEqual(['brush', 'detail']);
    expect(r).toMatchObject({ width: 1200, height: 800, warnings: [] });
  });

  it('native paints once at the output size', async () => {
    const input = await writePhoto(dir, 'b.png', 600, 400);
    const { runner, r } = await exportOf(input, 'native');
    expect(runner.sizes).toEqual(['600x400']);
    expect(r.timings.passes).toMatchObject([{ kind: 'paint', width: 600, height: 400 }]);
  });

  it('a preview smaller than the brush paints at the brush, not at its own size, and is the export downscaled', async () => {
    const input = await writePhoto(dir, 'c.png', 1200, 800);
    const { output } = await exportOf(input, 256);
    const runner = blockPainter();
    const p = await runPreview({ ...settings(256), size: 200, exportSize: 'original', input }, runner, never);
    expect(runner.sizes).toEqual(['256x172']);
    expect(p).toMatchObject({ width: 200, height: 133, sourceWidth: 1200, sourceHeight: 800, exportPlan: { mode: 'two-scale', width: 1200, height: 800, brushWidth: 256, brushHeight: 171 } });
    const want = await rgbOf(output, 200, 133);
    const got = await rgbOf(p.data);
    // Within JPEG (q85) and resampling error of this harsh fake painter (the real model: ~1.3).
    const same = meanAbsDiff(got.rgb, want.rgb);
    expect(same).toBeLessThan(4);
    // Painted at its own size instead, the halos are relatively wider: a different picture.
    const own = blockPainter();
    const q = await runPreview({ ...settings('native'), size: 200, exportSize: 'original', input }, own, never);
    expect(own.sizes).toEqual(['200x136']);
    expect(meanAbsDiff((await rgbOf(q.data)).rgb, want.rgb)).toBeGreaterThan(2 * same);
  });

  it('a preview larger than the brush adds the detail pass and matches the export downscaled', async () => {
    const input = await writePhoto(dir, 'd.png', 1200, 800);
    const { output } = await exportOf(input, 256);
    const runner = blockPainter();
    const p = await runPreview({ ...settings(256), size: 600, exportSize: 'original', input }, runner, never);
    expect(runner.sizes).toHaveLength(2);
    expect(p.timings.passes.map((x) => x.kind)).toEqual(['brush', 'detail']);
    const got = await rgbOf(p.data);
    expect(meanAbsDiff(got.rgb, (await rgbOf(output, got.width, got.height)).rgb)).toBeLessThan(4);
  });

  it('a preview of a smaller export follows that export: painted at the export size', async () => {
    const input = await writePhoto(dir, 'e.png', 1200, 800);
    const runner = blockPainter();
    const p = await runPreview({ ...settings(1024), size: 300, exportSize: 600, input }, runner, never);
    expect(runner.sizes).toEqual(['600x400']);
    expect(p).toMatchObject({ width: 300, height: 200, exportPlan: { mode: 'paint', width: 600, height: 400 }, warnings: [] });
  });

  it('a brush above the photo (no upscaling) paints at the photo size and says so when the user chose it', async () => {
    const input = await writePhoto(dir, 'f.png', 300, 200);
    const { r, runner } = await exportOf(input, 512, 1024);
    expect(runner.sizes).toEqual(['300x200']);
    expect(r.warnings).toEqual(["Brush 512 px is larger than the photo (300x200): painted at the photo's own size (strokes are larger relative to the picture)"]);
    // The default brush, nobody's choice, paints the same and stays quiet.
    const quiet = await exportOf(input, 1024, 'original', false);
    expect(quiet.runner.sizes).toEqual(['300x200']);
    expect(quiet.r.warnings).toEqual([]);
    // A size chosen below the brush is the documented behaviour, not a warning.
    const small = await writePhoto(dir, 'g.png', 1200, 800);
    expect((await exportOf(small, 1024, 600)).r.warnings).toEqual([]);
  });

  it('a style thumbnail paints only a centre crop at the brush pass scale', async () => {
    const input = await writePhoto(dir, 't.png', 1200, 800);
    const runner = blockPainter();
    const p = await runPreview({ ...settings(512), size: 256, exportSize: 'original', crop: { width: 256, height: 192 }, input }, runner, never);
    expect(runner.sizes).toEqual(['256x192']);
    expect(p).toMatchObject({ width: 256, height: 192, exportPlan: { mode: 'two-scale', brushWidth: 512, brushHeight: 341 } });
    // The crop's content is the brush-size photo's centre: the strokes as large as the export's.
    const brushSize = await rgbOf(input, 512, 341);
    const centre = await sharp(brushSize.rgb, { raw: { width: 512, height: 341, channels: 3 } })
      .extract({ left: 128, top: 74, width: 256, height: 192 })
      .raw()
      .toBuffer();
    const painted = blockPainter();
    const want = await painted.single!(centre, 192, 256);
    expect(meanAbsDiff((await rgbOf(p.data)).rgb, want)).toBeLessThan(3);
  });

  it('native previews paint at the preview size', async () => {
    const input = await writePhoto(dir, 'h.png', 1200, 800);
    const runner = blockPainter();
    await runPreview({ ...settings('native'), size: 300, exportSize: 'original', input }, runner, never);
    expect(runner.sizes).toEqual(['300x200']);
  });
});
