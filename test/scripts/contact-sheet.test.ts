// scripts/contact-sheet.mjs (the engine's grid): what `npm start` writes, its labels fitted to their tiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ensureBuilt } from '../electron/engine/helpers.js';

type Sheet = typeof import('../../electron/services/contact-sheet.js');
let fitLabel: Sheet['fitLabel'];
let writeContactSheet: Sheet['writeContactSheet'];
beforeAll(async () => {
  // The script re-exports the engine's grid from dist/.
  ensureBuilt();
  // @ts-expect-error plain ES module without types
  ({ fitLabel, writeContactSheet } = (await import('../../scripts/contact-sheet.mjs')) as Sheet);
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contact-sheet-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function solid(name: string, rgb: [number, number, number]): Promise<string> {
  const file = path.join(dir, name);
  await sharp({ create: { width: 320, height: 180, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg()
    .toFile(file);
  return file;
}

describe('contact sheet', () => {
  it('lays the tiles out in a grid with a label strip under each', async () => {
    const colours: [number, number, number][] = [
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
    ];
    const tiles = await Promise.all(colours.map(async (c, i) => ({ file: await solid(`t${i}.jpg`, c), label: `Style & <${i}>` })));
    const out = path.join(dir, 'sheet.jpg');
    const r = await writeContactSheet(tiles, out, { tileWidth: 160, columns: 2, labelHeight: 30, gap: 10 });
    expect(r).toEqual({ width: 2 * 160 + 3 * 10, height: 2 * (90 + 30) + 3 * 10, columns: 2, rows: 2 });
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([r.width, r.height]);
    const px = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) < 40);
    // Centre of each tile: its photo; below it the dark label strip with some light text.
    const centres = [
      [10 + 80, 10 + 45],
      [10 + 160 + 10 + 80, 10 + 45],
      [10 + 80, 10 + 120 + 10 + 45],
    ] as const;
    centres.forEach(([x, y], i) => expect(near(px(x, y), colours[i]!), `tile ${i}`).toBe(true));
    let light = 0;
    for (let x = 10; x < 170; x++) for (let y = 100; y < 130; y++) if (px(x, y)[0]! > 150) light++;
    expect(light).toBeGreaterThan(20);
    expect(near(px(10 + 160 + 10 + 80, 10 + 120 + 10 + 45), [0x20, 0x20, 0x20])).toBe(true);
  });

  it('shrinks a long label, then cuts it with an ellipsis', () => {
    expect(fitLabel('The Scream', 388, 17)).toEqual({ size: 17, text: 'The Scream' });
    const long = fitLabel('x'.repeat(50), 388, 17);
    expect(long.size).toBeLessThan(17);
    expect(long.text).toBe('x'.repeat(50));
    const cut = fitLabel('y'.repeat(200), 388, 17, 11);
    expect(cut.size).toBe(11);
    expect(cut.text.endsWith('\u2026')).toBe(true);
    expect(cut.text.length).toBe(Math.floor(388 / (11 * 0.58)));
  });

  it('refuses an empty list', async () => {
    await expect(writeContactSheet([], path.join(dir, 'none.jpg'))).rejects.toThrow('Expected at least one tile for the contact sheet but received none');
    expect(fs.existsSync(path.join(dir, 'none.jpg'))).toBe(false);
  });
});
