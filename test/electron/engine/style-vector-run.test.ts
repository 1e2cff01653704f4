// The worker feeds the style file's vector to the graph: a user style holding udnie's vector
// renders udnie's pixels exactly, a blend of a user and a built-in style renders something else.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { PACK_MODELS, packEngines, tmpDir, writePhoto } from './helpers.js';

const packEngine = packEngines();
const dir = tmpDir();

describe('style vectors through the worker', () => {
  it('a user style runs like the built-in one it copies, and blends with built-in styles', async () => {
    const user = path.join(dir, 'user-styles');
    mkdirSync(user);
    const doc = JSON.parse(readFileSync(path.join(PACK_MODELS, 'styles', 'udnie.json'), 'utf8'));
    writeFileSync(path.join(user, 'copy.json'), JSON.stringify({ ...doc, id: 'udnie-copy', title: 'Copy' }));
    const e = await packEngine({ device: 'cpu', userStylesDir: user });
    expect(e.styles().find((s) => s.id === 'udnie-copy')).toMatchObject({ source: 'user', model: 'pastiche-pack16' });
    const input = await writePhoto(path.join(dir, 'in.png'), 128, 96, 3);
    const run = async (style: string | Record<string, number>, name: string): Promise<Buffer> => {
      const r = await e.stylizeFile(input, { outputPath: path.join(dir, name) }, { style, format: 'png', keepMetadata: false });
      expect(r.status, r.error).toBe('ok');
      return sharp(r.output as string)
        .raw()
        .toBuffer();
    };
    const a = await run('udnie', 'a.png');
    const b = await run('udnie-copy', 'b.png');
    const c = await run({ 'udnie-copy': 1, 'great-wave': 1 }, 'c.png');
    const d = await run('great-wave', 'd.png');
    expect(b.equals(a)).toBe(true);
    expect(c.equals(a)).toBe(false);
    expect(c.equals(d)).toBe(false);
  });
});
