import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brushChosen, DEFAULT_BRUSH } from '../../../electron/common/params.js';
import { Engine } from '../../../electron/engine/index.js';
import { FIXTURE_MODELS, WORKER, ensureBuilt, photo, tmpDir, writePhoto } from './helpers.js';

let engine: Engine;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = tmpDir();
  engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'auto' });
});
afterAll(async () => {
  await engine?.close();
});

async function rawOf(file: string) {
  return sharp(file).raw().toBuffer({ resolveWithObject: true });
}

describe('engine', () => {
  it('lists styles and stylizes a file; auto falls back to CPU and says why', async () => {
    expect(engine.styles().map((s) => s.id)).toEqual(['fixture-ember', 'fixture-tide', 'fixture-moss']);
    const input = await writePhoto(path.join(dir, 'in', 'a.jpg'), 120, 80);
    const r = await engine.stylizeFile(input, { outDir: dir }, { style: 'fixture-tide' });
    expect(r).toMatchObject({ status: 'ok', output: path.join(dir, 'a.jpg'), device: 'cpu' });
    const md = await sharp(r.output!).metadata();
    expect([md.width, md.height]).toEqual([120, 80]);
    const dev = engine.deviceReport();
    expect(dev?.provider).toBe('cpu');
    // No GPU on CI machines: auto must report the fallback reason.
    if (dev?.fallbackReason) expect(dev.fallbackReason).toMatch(/webgpu/);
    expect(readdirSync(dir).filter((n) => n.includes('pastiche-tmp'))).toEqual([]);
  });

  it('strength 0 returns the photo; blends and preserve-colors run', async () => {
    const input = await writePhoto(path.join(dir, 'in', 's.png'), 64, 48);
    const r0 = await engine.stylizeFile(input, { outputPath: path.join(dir, 's0.png') }, { strength: 0 });
    const [a, b] = await Promise.all([rawOf(input), rawOf(r0.output!)]);
    let maxd = 0;
    for (let i = 0; i < a.data.length; i++) maxd = Math.max(maxd, Math.abs(a.data[i]! - b.data[i]!));
    expect(maxd).toBeLessThanOrEqual(1);
    const r1 = await engine.stylizeFile(input, { outputPath: path.join(dir, 's1.png') }, { style: { 'fixture-ember': 1, 'fixture-moss': 1 }, preserveColors: true });
    expect(r1.status).toBe('ok');
  });

  it('keeps alpha for PNG and flattens for JPEG', async () => {
    const input = path.join(dir, 'in', 'alpha.png');
    await (await photo(40, 40)).ensureAlpha(0.5).png().toFile(input);
    const png = await engine.stylizeFile(input, { outputPath: path.join(dir, 'alpha-out.png') }, {});
    expect((await sharp(png.output!).metadata()).hasAlpha).toBe(true);
    const jpg = await engine.stylizeFile(input, { outputPath: path.join(dir, 'alpha-out.jpg') }, {});
    expect((await sharp(jpg.output!).metadata()).hasAlpha).toBe(false);
  });

  it('preview returns encoded bytes', async () => {
    const input = await writePhoto(path.join(dir, 'in', 'p.jpg'), 300, 200);
    const p = await engine.preview(input, { size: 128 });
    expect(Buffer.isBuffer(p.data)).toBe(true);
    expect(p).toMatchObject({ width: 128, height: 85, mime: 'image/jpeg', provider: 'cpu' });
    expect((await sharp(p.data).metadata()).format).toBe('jpeg');
  });

  it('a brush larger than the photo is said only when the caller says the user chose it (brushChosen)', async () => {
    const input = await writePhoto(path.join(dir, 'in', 'small-brush.jpg'), 120, 80);
    const said = "Brush 1024 px is larger than the photo (120x80): painted at the photo's own size (strokes are larger relative to the picture)";
    // The callers say (common/params.ts brushChosen); a brush passed without the flag is not a choice.
    expect((await engine.stylizeFile(input, { outputPath: path.join(dir, 'b-app.jpg') }, { brush: 1024, brushChosen: false })).warnings).toBeUndefined();
    expect((await engine.stylizeFile(input, { outputPath: path.join(dir, 'b-none.jpg') }, {})).warnings).toBeUndefined();
    expect((await engine.stylizeFile(input, { outputPath: path.join(dir, 'b-given.jpg') }, { brush: 1024 })).warnings).toBeUndefined();
    expect((await engine.stylizeFile(input, { outputPath: path.join(dir, 'b-chosen.jpg') }, { brushChosen: true })).warnings).toEqual([said]);
    const bad = await engine.stylizeFile(input, { outputPath: path.join(dir, 'b-bad.jpg') }, { brushChosen: 'yes' as unknown as boolean });
    expect(bad).toMatchObject({ status: 'failed', error: "Expected boolean for brushChosen but received 'yes'" });
    // A preview carries the export's flag: the app's preview at the default brush stays quiet.
    const preview = { size: 64, exportSize: 'original', brush: DEFAULT_BRUSH, brushChosen: brushChosen(DEFAULT_BRUSH, 'settings') } as const;
    expect((await engine.preview(input, preview)).warnings).toEqual([]);
    expect((await engine.preview(input, { ...preview, brushChosen: true })).warnings).toEqual([said]);
  });

  it('refuses to overwrite the input and reports bad files without throwing', async () => {
    const input = await writePhoto(path.join(dir, 'same', 'x.jpg'));
    const r = await engine.stylizeFile(input, { outDir: path.join(dir, 'same') }, {});
    expect(r).toMatchObject({ status: 'failed', error: expect.stringMatching(/would overwrite the input/) });
    const bad = await engine.stylizeFile(path.join(dir, 'missing.jpg'), { outDir: path.join(dir, 'in') }, {});
    expect(bad).toMatchObject({ status: 'failed', error: expect.stringMatching(/File not found/) });
  });

  it('device gpu without a GPU is a clear error', async () => {
    const e = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'gpu' });
    try {
      const input = await writePhoto(path.join(dir, 'in', 'g.jpg'));
      const r = await e.stylizeFile(input, { outDir: dir }, {});
      // On a machine with a working GPU this passes on that GPU instead.
      if (r.status === 'failed') expect(r.error).toMatch(/No GPU provider could run model 'fixture-pack'|No GPU execution provider/);
      else expect(r.device).not.toBe('cpu');
    } finally {
      await e.close();
    }
  });
});

describe('tiled inference', () => {
  // Mean absolute horizontal/vertical gradient of the columns/rows in a set vs all others.
  function gradStats(px: Buffer, w: number, h: number, seamCols: number[], seamRows: number[]) {
    const at = (x: number, y: number, c: number) => px[(y * w + x) * 3 + c]!;
    let seam = 0,
      seamN = 0,
      other = 0,
      otherN = 0;
    const cols = new Set(seamCols.flatMap((c) => [c - 1, c, c + 1]));
    const rows = new Set(seamRows.flatMap((r) => [r - 1, r, r + 1]));
    for (let y = 0; y < h; y++)
      for (let x = 1; x < w; x++)
        for (let c = 0; c < 3; c++) {
          const g = Math.abs(at(x, y, c) - at(x - 1, y, c));
          if (cols.has(x)) {
            seam += g;
            seamN++;
          } else {
            other += g;
            otherN++;
          }
        }
    for (let y = 1; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) {
          const g = Math.abs(at(x, y, c) - at(x, y - 1, c));
          if (rows.has(y)) {
            seam += g;
            seamN++;
          } else {
            other += g;
            otherN++;
          }
        }
    return { seam: seam / seamN, other: other / otherN };
  }

  it('tiles blend without seams: boundary gradients match the interior, grids agree', async () => {
    const input = await writePhoto(path.join(dir, 'in', 'tiled.png'), 400, 300);
    const runs: Record<string, Buffer> = {};
    const grids = { a: 128, b: 200 };
    for (const [k, tileSize] of Object.entries(grids)) {
      const e = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu', tilePixels: 10_000, statsEdge: 400 });
      try {
        const r = await e.stylizeFile(input, { outputPath: path.join(dir, `tiled-${k}.png`) }, { tileSize });
        expect(r.status).toBe('ok');
        runs[k] = (await rawOf(r.output!)).data;
      } finally {
        await e.close();
      }
    }
    // Where a tile's fade region sits for grid a (core overlap centres): compare there vs elsewhere.
    const { planAxis } = await import('../../../electron/imaging/tiling.js');
    const cols = planAxis(400, 128, 34, 4);
    const rows = planAxis(300, 128, 34, 4);
    expect(cols.length).toBeGreaterThan(2);
    const seamCols = cols.slice(1).map((s, i) => Math.round((s.start + cols[i]!.start + cols[i]!.length) / 2));
    const seamRows = rows.slice(1).map((s, i) => Math.round((s.start + rows[i]!.start + rows[i]!.length) / 2));
    const g = gradStats(runs['a']!, 400, 300, seamCols, seamRows);
    expect(g.seam).toBeLessThan(g.other * 1.25);
    // Two different grids differ only by small, evenly spread amounts (no visible tile pattern).
    let diff = 0,
      maxd = 0;
    const a = runs['a']!,
      b = runs['b']!;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - b[i]!);
      diff += d;
      maxd = Math.max(maxd, d);
    }
    expect(diff / a.length).toBeLessThan(6);
    expect(existsSync(path.join(dir, 'tiled-a.png'))).toBe(true);
  });
});
