// Names and paths: Unicode (CJK, emoji, NFC vs NFD), spaces, leading '-', very long
// names and paths, case/extension collisions in one batch, output == input, the CLI '--'.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/engine/index.js';
import { FIXTURE_MODELS, WORKER, ensureBuilt, makeReadOnlyDir, tmpDir, writePhoto } from '../helpers.js';
import { decodesFully, runCli } from './util.js';

let engine: Engine;
let dir: string;
beforeAll(async () => {
  ensureBuilt();
  dir = tmpDir('pastiche-rel-names-');
  engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu' });
});
afterAll(async () => {
  await engine?.close();
});

const NFC = 'caf\u00e9';
const NFD = 'cafe\u0301';

describe('names and paths', () => {
  it('CJK, emoji, NFD, spaces, leading dashes, 240-byte names and >1000-char paths all round-trip', async () => {
    const src = path.join(dir, 'uni');
    // Folder names near NAME_MAX (255 bytes) nested to a ~1,250-character path.
    const deep = path.join(src, ...Array.from({ length: 5 }, (_, i) => `${String(i).repeat(240)}`));
    const long = `${'\u5199'.repeat(60)}${'x'.repeat(56)}`; // 60 x 3 bytes + 56 = 236 bytes + '.jpg'
    expect(Buffer.byteLength(`${long}.jpg`)).toBe(240);
    const names = ['\u5199\u771f \u6771\u4eac.jpg', '\ud83c\udfa8 palette \ud83d\uddbc\ufe0f.jpg', `${NFD} nfd.jpg`, '  spaced  name .jpg', '-rf.jpg', '--help.jpg', `${long}.jpg`];
    for (const [i, n] of names.entries()) await writePhoto(path.join(src, n), 40, 32, i + 1);
    const deepFile = await writePhoto(path.join(deep, 'deep photo.jpg'), 40, 32, 9);
    expect(deepFile.length).toBeGreaterThan(1200);
    // The output folder is deep too, so output and temp paths are long as well.
    const out = path.join(dir, 'o'.repeat(200), 'p'.repeat(200), '\u51fa\u529b');
    mkdirSync(out, { recursive: true });
    const r = await engine.runBatch([src], out, { recursive: true, format: 'png', nameTemplate: '{name}' });
    expect(r.files.filter((f) => f.status !== 'ok').map((f) => `${f.input}: ${f.error}`)).toEqual([]);
    expect(r.files).toHaveLength(names.length + 1);
    for (const f of r.files) {
      const stem = path.basename(f.input, '.jpg');
      // Name preserved byte for byte (NFD stays NFD), tree mirrored.
      expect(path.basename(f.output!)).toBe(`${stem}.png`);
      expect(await decodesFully(f.output!), f.output!).toBe(true);
    }
    expect(r.files.find((f) => f.input === deepFile)?.output).toBe(path.join(out, path.relative(src, deep), 'deep photo.png'));
    expect(
      readdirSync(out, { recursive: true })
        .map(String)
        .filter((n) => n.includes('pastiche-tmp')),
    ).toEqual([]);
  });

  it('a 251-byte name (temp name would exceed NAME_MAX) is still written atomically', async () => {
    const stem = 'n'.repeat(247);
    const input = await writePhoto(path.join(dir, 'max', `${stem}.jpg`), 32, 32, 3);
    const out = path.join(dir, 'max-out');
    mkdirSync(out);
    const r = await engine.runBatch([input], out, { format: 'webp', nameTemplate: '{name}' });
    expect(r.files[0]).toMatchObject({ status: 'ok', output: path.join(out, `${stem}.webp`) });
    expect(readdirSync(out)).toEqual([`${stem}.webp`]);
    // With the style in the name it would be 266 bytes: the photo's name is shortened, the style kept.
    const styled = await engine.runBatch([input], out, { format: 'webp' });
    const name = path.basename(styled.files[0]?.output ?? '');
    expect(styled.files[0]?.status).toBe('ok');
    expect(name).toBe(`${'n'.repeat(255 - '_fixture-ember.webp'.length)}_fixture-ember.webp`);
    expect(Buffer.byteLength(name)).toBe(255);
  });

  it('IMG.JPG + img.jpg, a.jpg + a.png and NFC/NFD twins in one batch: no silent collision, deterministic', async () => {
    const src = path.join(dir, 'coll');
    const names = ['IMG.JPG', 'img.jpg', 'a.jpg', 'a.png', `${NFC}.jpg`, `${NFD}.jpg`];
    for (const [i, n] of names.entries()) await writePhoto(path.join(src, n), 32, 24, i + 10);
    expect(readdirSync(src)).toHaveLength(6);
    const out = path.join(dir, 'coll-out');
    mkdirSync(out);
    const r = await engine.runBatch([src], out, { nameTemplate: '{name}' });
    expect(r.files.every((f) => f.status === 'ok')).toBe(true);
    const outs = r.files.map((f) => f.output!);
    // Unique even for case-insensitive, normalization-insensitive file systems (macOS, Windows).
    expect(new Set(outs.map((o) => o.normalize('NFC').toLowerCase())).size).toBe(6);
    expect(readdirSync(out)).toHaveLength(6);
    const byIn = Object.fromEntries(r.files.map((f) => [path.basename(f.input), path.basename(f.output!)]));
    expect(byIn['IMG.JPG']).toBe('IMG.jpg');
    expect(byIn['img.jpg']).toBe('img-2.jpg');
    expect(byIn['a.jpg']).toBe('a.jpg');
    expect(byIn['a.png']).toBe('a-2.jpg');
    expect([byIn[`${NFC}.jpg`], byIn[`${NFD}.jpg`]].map((n) => n!.normalize('NFC')).sort()).toEqual([`${NFC}-2.jpg`, `${NFC}.jpg`]);
    // Every output is a different photo (nothing overwritten by a twin).
    const bytes = new Set(outs.map((o) => readFileSync(o).toString('base64')));
    expect(bytes.size).toBe(6);
    // A re-run assigns the same names, so --skip-existing skips them all.
    const again = await engine.runBatch([src], out, { skipExisting: true, nameTemplate: '{name}' });
    expect(again.files.map((f) => f.status)).toEqual(Array(6).fill('skipped'));
    expect(again.files.map((f) => f.output)).toEqual(outs);
  });

  it('output equal to an input is refused for that file, the input stays untouched', async () => {
    const src = path.join(dir, 'same');
    const a = await writePhoto(path.join(src, 'a.png'), 32, 32, 1);
    const b = await writePhoto(path.join(src, 'b.jpg'), 32, 32, 2);
    const before = readFileSync(a);
    const r = await engine.runBatch([src], src, { format: 'png', nameTemplate: '{name}' });
    const by = Object.fromEntries(r.files.map((f) => [path.basename(f.input), f]));
    expect(by['a.png']).toMatchObject({ status: 'failed', output: null, error: `Refused: the output ${a} would overwrite an input photo; choose another --out folder or --format` });
    expect(by['b.jpg']).toMatchObject({ status: 'ok', output: path.join(src, 'b.png') });
    expect(readFileSync(a).equals(before)).toBe(true);
    const one = await engine.stylizeFile(b, { outputPath: b }, {});
    expect(one).toMatchObject({ status: 'failed', error: `Refused: the output ${b} would overwrite the input photo` });
  });

  it('read-only output folder: refused before starting (engine and CLI)', async () => {
    const input = await writePhoto(path.join(dir, 'ro-in', 'a.jpg'));
    const ro = path.join(dir, 'ro');
    const undo = makeReadOnlyDir(ro);
    if (!undo) return;
    try {
      const mtime = statSync(input).mtimeMs;
      await expect(engine.runBatch([input], ro, {})).rejects.toMatchObject({
        code: 'OUTPUT',
        message: expect.stringMatching(/^Cannot write to output folder .*: (it is on a read-only file system|it is not writable)$/),
      });
      const c = await runCli(['stylize', input, '--out', ro, '--json']);
      expect(c.code).toBe(2);
      expect(c.stderr).toMatch(/--out: Cannot write to output folder .*(read-only file system|not writable)/);
      expect(c.stdout).toBe('');
      expect(readdirSync(ro)).toEqual([]);
      expect(statSync(input).mtimeMs).toBe(mtime);
    } finally {
      undo();
    }
  });

  it("CLI: files named '-rf.jpg' / '--help.jpg' need the '--' separator and are never taken as flags", async () => {
    const cwd = path.join(dir, 'dash');
    await writePhoto(path.join(cwd, '-rf.jpg'));
    await writePhoto(path.join(cwd, '--help.jpg'));
    const ok = await runCli(['stylize', '--out', 'out', '--json', '--name-template', '{name}', '--', '-rf.jpg', '--help.jpg'], { cwd });
    expect(ok.code, ok.stderr).toBe(0);
    const rep = JSON.parse(ok.stdout) as { files: { input: string; status: string; output: string }[] };
    expect(rep.files.map((f) => [path.basename(f.input), f.status, path.basename(f.output)])).toEqual([
      ['-rf.jpg', 'ok', '-rf.jpg'],
      ['--help.jpg', 'ok', '--help.jpg'],
    ]);
    expect(existsSync(path.join(cwd, 'out', '-rf.jpg'))).toBe(true);
    // Without '--' the name is parsed as options (-r -f '.jpg'): a usage error that points at
    // '--', nothing written.
    const bad = await runCli(['stylize', '--out', 'out2', '-rf.jpg'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Missing input: .*after '--'/);
    const bad2 = await runCli(['stylize', '--out', 'out2', '-rf.jpg', 'x.jpg'], { cwd });
    expect(bad2.code).toBe(2);
    expect(bad2.stderr).toMatch(/--format: Expected one of .* but received '\.jpg'/);
    expect(existsSync(path.join(cwd, 'out2', '-rf.jpg'))).toBe(false);
  });
});
