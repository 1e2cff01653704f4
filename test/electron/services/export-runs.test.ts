// An export of several styles: each style's batch in turn, one progress, one report, and the
// contact sheet of the photos x styles beside the files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { BatchProgress, BatchReport } from '../../../electron/common/types.js';
import { runExport } from '../../../electron/services/export-runs.js';
import { FakeEngine } from './fake-engine.js';

const COLOURS: Record<string, string> = { ember: '#c03010', tide: '#1040c0' };

/** Paints each photo as a flat colour per style, into real files. */
class PaintingEngine extends FakeEngine {
  override async runBatch(inputs: string[], outDir: string, opts: { style?: unknown }, onProgress: (p: BatchProgress) => void): Promise<BatchReport> {
    const style = String(opts.style);
    const files: BatchReport['files'] = [];
    for (const [i, input] of inputs.entries()) {
      onProgress({ done: i, total: inputs.length, current: input, etaMs: i === 0 ? null : 100 * (inputs.length - i) });
      if (input.endsWith('broken.jpg')) {
        files.push({ input, output: null, status: 'failed', error: 'broken', ms: 1, device: 'cpu' });
        continue;
      }
      const output = path.join(outDir, `${path.basename(input, '.jpg')}_${style}.jpg`);
      await sharp({ create: { width: 60, height: 40, channels: 3, background: COLOURS[style] ?? '#000' } })
        .jpeg()
        .toFile(output);
      files.push({ input, output, status: 'ok', ms: 1, device: 'cpu' });
    }
    return { files, device: 'cpu', cancelled: false };
  }
}

describe('export of several styles', () => {
  it('runs each style, reports all files, and writes a labelled contact sheet without replacing one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-export-runs-'));
    const photos = await Promise.all(
      ['a.jpg', 'b.jpg'].map(async (n) => {
        const f = path.join(dir, n);
        await sharp({ create: { width: 60, height: 40, channels: 3, background: '#e0e0e0' } })
          .jpeg()
          .toFile(f);
        return f;
      }),
    );
    fs.writeFileSync(path.join(dir, 'broken.jpg'), 'x');
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'contact-sheet.jpg'), 'an earlier sheet');
    const progress: BatchProgress[] = [];
    const opts = {
      style: 'ember',
      size: 'original' as const,
      brush: 1024,
      strength: 1,
      preserveColors: false,
      format: 'jpg' as const,
      quality: 90,
      keepMetadata: true,
      stripGps: true,
      recursive: false,
      skipExisting: false,
    };
    const inputs = [...photos, path.join(dir, 'broken.jpg')];
    const r = await runExport(new PaintingEngine(), inputs, out, opts, { styles: ['ember', 'tide'], contactSheet: true }, (p) => progress.push(p));
    expect(r.files.map((f) => [path.basename(f.input), f.status])).toEqual([
      ['a.jpg', 'ok'],
      ['b.jpg', 'ok'],
      ['broken.jpg', 'failed'],
      ['a.jpg', 'ok'],
      ['b.jpg', 'ok'],
      ['broken.jpg', 'failed'],
    ]);
    expect(progress.every((p) => p.total === 6)).toBe(true);
    // The second file of the first style: 200 ms left of it, and three more photos of the next style.
    expect(progress[1]).toMatchObject({ done: 1, etaMs: 200 + 3 * 100 });
    expect(r.contactSheet).toBe(path.join(out, 'contact-sheet-2.jpg'));
    expect(fs.readFileSync(path.join(out, 'contact-sheet.jpg'), 'utf8')).toBe('an earlier sheet');
    const { data, info } = await sharp(r.contactSheet!).raw().toBuffer({ resolveWithObject: true });
    // Three rows (a, b, broken) of three columns (photo, ember, tide).
    const tileWidth = 400;
    expect(info.width).toBe(3 * tileWidth + 4 * 8);
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const mid = 8 + 133;
    expect(px(8 + tileWidth / 2, mid)[0]).toBeGreaterThan(200);
    expect(px(8 + tileWidth + 8 + tileWidth / 2, mid)[0]).toBeGreaterThan(150);
    expect(px(8 + 2 * (tileWidth + 8) + tileWidth / 2, mid)[2]).toBeGreaterThan(150);
  });
});
