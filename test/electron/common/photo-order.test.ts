import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareNames } from '../../../electron/common/photo-order.js';
import { planBatch } from '../../../electron/engine/batch.js';
import { scanFolder } from '../../../electron/services/gallery.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'pastiche-order-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('photo order', () => {
  it('reads names as people do, exact spelling breaking ties', () => {
    expect(['img10.jpg', 'IMG2.jpg', 'img2.jpg', 'b.jpg', 'A.jpg'].sort(compareNames)).toEqual(['A.jpg', 'b.jpg', 'IMG2.jpg', 'img2.jpg', 'img10.jpg']);
  });

  it('a batch over a folder runs in the gallery order', async () => {
    // Photos before and after a subfolder's name, numbers that sort differently as text.
    for (const rel of ['img10.jpg', 'img2.jpg', 'Bridge.jpg', 'a-sub/z1.jpg', 'a-sub/deeper/k.jpg', 'a-sub/y.jpg', 'zz/last.png', 'c.png']) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), 'x');
    }
    const gallery = (await scanFolder(root, true)).photos.map((p) => p.rel);
    const plan = (await planBatch([root], path.join(os.tmpdir(), 'pastiche-order-out'), { recursive: true, format: 'jpg' })).files.map((f) => path.relative(root, f.input).split(path.sep).join('/'));
    expect(plan).toEqual(gallery);
    expect(gallery).toEqual(['Bridge.jpg', 'c.png', 'img2.jpg', 'img10.jpg', 'a-sub/y.jpg', 'a-sub/z1.jpg', 'a-sub/deeper/k.jpg', 'zz/last.png']);
  });
});
