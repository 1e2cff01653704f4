// scripts/stage-trainer-data.mjs: stages the VGG19 weights and the open training photos, with
// their licence and attribution files, from a data folder for packaging; never the evaluation or
// research photos; a missing or incomplete data folder fails with a message naming the path.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTrainerData, resolveTrainerData } from '../../electron/learning/trainer-data.js';
// @ts-expect-error plain ES module without types
import { DEFAULT_OUT, MIN_PHOTOS, stageTrainerData } from '../../scripts/stage-trainer-data.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'stage-trainer-data.mjs');
const FIXTURE_VGG = path.join(ROOT, 'test/fixtures/trainer/trainer-data/vgg19');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-trainer-data-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Staged {
  out: string;
  photos: number;
  attribution: string[];
  vggFiles: number;
}
const stage = stageTrainerData as (o: { from: string; out: string; origin?: string }) => Staged;
const WIKI = 'Wikimedia Commons: attribution per image, see content/open/WIKIMEDIA-SOURCES.md';
const DEBIAN = 'see content/open/COPYRIGHT.*.txt (CC-BY-4.0 per file)';

let n = 0;
/** A data folder laid out like ../shared/data, with photos, the held-out sets and research photos. */
function fakeData(photos = MIN_PHOTOS as number): string {
  const d = path.join(tmp, `data-${n++}`);
  fs.cpSync(FIXTURE_VGG, path.join(d, 'vgg19'), { recursive: true });
  fs.writeFileSync(path.join(d, 'vgg19', 'LICENSE'), 'MIT License\n');
  const open = path.join(d, 'content', 'open');
  fs.mkdirSync(open, { recursive: true });
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < photos; i++) {
    const name = i % 2 ? `wikimedia-${i}.jpg` : `debian-${i}.png`;
    const bytes = Buffer.from(`photo ${i}`);
    fs.writeFileSync(path.join(open, name), bytes);
    rows.push({ file: `content/open/${name}`, set: 'open', licence: i % 2 ? WIKI : DEBIAN, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  fs.writeFileSync(path.join(open, 'WIKIMEDIA-SOURCES.md'), '* source\n');
  fs.writeFileSync(path.join(open, 'COPYRIGHT.a.txt'), 'Files: a\n');
  fs.writeFileSync(path.join(open, 'COPYRIGHT.b.txt'), 'Files: b\n');
  fs.mkdirSync(path.join(d, 'content', 'research'));
  fs.writeFileSync(path.join(d, 'content', 'research', 'bsds-1.jpg'), 'research');
  rows.push({ file: 'content/research/bsds-1.jpg', set: 'research', licence: 'non-commercial research', sha256: 'x' });
  fs.writeFileSync(path.join(d, 'content', 'photos.json'), JSON.stringify(rows));
  for (const held of ['eval/kodak/kodim01.png', 'eval/highres/big.jpg']) {
    fs.mkdirSync(path.dirname(path.join(d, held)), { recursive: true });
    fs.writeFileSync(path.join(d, held), 'held out');
  }
  return d;
}

function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('stage-trainer-data', () => {
  it('stages the weights, the open photos and their attribution files, never the evaluation or research photos', () => {
    const from = fakeData();
    const out = path.join(tmp, 'out', 'trainer-data');
    const r = stage({ from, out });
    expect(r).toMatchObject({ out, photos: MIN_PHOTOS, attribution: ['COPYRIGHT.a.txt', 'COPYRIGHT.b.txt', 'WIKIMEDIA-SOURCES.md'], vggFiles: 10 });
    const files = tree(out);
    expect(files.filter((f) => f.startsWith('vgg19/'))).toEqual(['vgg19/LICENSE', ...Array.from({ length: 8 }, (_, i) => `vgg19/group${i + 1}-shard1of1`), 'vgg19/model.json'].sort());
    expect(files.filter((f) => /\.(jpg|png)$/.test(f))).toHaveLength(MIN_PHOTOS);
    expect(files.every((f) => /^(vgg19|content\/open)\/|^content\/photos\.json$|^NOTICE\.md$/.test(f))).toBe(true);
    expect(files.some((f) => /kodim|eval|research|bsds/.test(f))).toBe(false);
    // The staged list holds only the open photos, with their licences.
    const rows = JSON.parse(fs.readFileSync(path.join(out, 'content', 'photos.json'), 'utf8')) as { set: string; licence: string }[];
    expect(rows).toHaveLength(MIN_PHOTOS);
    expect(rows.every((x) => x.set === 'open' && x.licence.length > 0)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'NOTICE.md'), 'utf8')).toContain('vgg19/LICENSE (MIT, David Cai)');
    // What the app's runtime check reads from the folder it ships as resources/trainer-data.
    return expect(checkTrainerData(resolveTrainerData(path.dirname(out), {}), path.dirname(out))).resolves.toEqual({ missing: [], messages: [] });
  });

  it('stages from PASTICHE_SHARED_DIR by default, into dist/trainer-data', () => {
    expect(DEFAULT_OUT).toBe(path.join('dist', 'trainer-data'));
    // dist/ is git-ignored: the data never lands in the repository.
    expect(execFileSync('git', ['check-ignore', path.join(DEFAULT_OUT as string, 'vgg19', 'model.json')], { cwd: ROOT, encoding: 'utf8' }).trim()).toBe(
      path.join(DEFAULT_OUT as string, 'vgg19', 'model.json'),
    );
    const from = fakeData();
    const out = path.join(tmp, 'cli-out');
    const ok = spawnSync(process.execPath, [SCRIPT, '--out', out], { env: { ...process.env, PASTICHE_SHARED_DIR: from }, encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^trainer data: ${MIN_PHOTOS} photos \\(0\\.0 MiB\\) and the VGG19 weights \\(10 files, 0\\.0 MiB\\) from ${from} staged in ${out}\\n$`));
    const missing = path.join(tmp, 'no-such-data');
    const bad = spawnSync(process.execPath, [SCRIPT, '--out', path.join(tmp, 'never')], { env: { ...process.env, PASTICHE_SHARED_DIR: missing }, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(
      `stage-trainer-data: No trainer data to stage: ${missing} (PASTICHE_SHARED_DIR) does not exist. Set PASTICHE_SHARED_DIR to the folder holding vgg19/ and content/open/ (or pass --from DIR)\n`,
    );
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);
  });

  it('refuses an incomplete data folder, naming what is wrong, and keeps the previous staging', () => {
    const out = path.join(tmp, 'kept');
    stage({ from: fakeData(), out });
    const before = tree(out);
    const fails = (from: string, why: string): void => {
      expect(() => stage({ from, out, origin: 'PASTICHE_SHARED_DIR' })).toThrow(
        `Cannot stage the trainer data from ${from} (PASTICHE_SHARED_DIR): ${why}. Set PASTICHE_SHARED_DIR to a complete data folder (or pass --from DIR)`,
      );
      expect(tree(out)).toEqual(before);
      expect(fs.readdirSync(path.dirname(out)).filter((f) => f.includes('staging'))).toEqual([]);
    };
    let d = fakeData();
    fs.rmSync(path.join(d, 'vgg19', 'model.json'));
    fails(d, `${path.join(d, 'vgg19', 'model.json')} is missing (the VGG19 weights manifest)`);
    d = fakeData();
    fs.rmSync(path.join(d, 'vgg19', 'group5-shard1of1'));
    fails(d, `${path.join(d, 'vgg19', 'group5-shard1of1')} is missing (a shard of weight group 5 in ${path.join(d, 'vgg19', 'model.json')})`);
    d = fakeData();
    fs.writeFileSync(path.join(d, 'vgg19', 'group1-shard1of1'), 'abc');
    fails(d, `${path.join(d, 'vgg19', 'group1-shard1of1')} hold 3 bytes, expected 8 for block1_conv1/kernel, block1_conv1/bias`);
    d = fakeData();
    fs.rmSync(path.join(d, 'vgg19', 'LICENSE'));
    fails(d, `${path.join(d, 'vgg19', 'LICENSE')} is missing (the VGG19 weights' licence must ship with them)`);
    d = fakeData(MIN_PHOTOS - 1);
    fails(d, `${path.join(d, 'content', 'photos.json')} lists ${MIN_PHOTOS - 1} open photos, expected at least ${MIN_PHOTOS}`);
    d = fakeData();
    fs.rmSync(path.join(d, 'content', 'open', 'debian-0.png'));
    fails(d, `${path.join(d, 'content', 'open', 'debian-0.png')} is missing (listed in ${path.join(d, 'content', 'photos.json')})`);
    d = fakeData();
    fs.writeFileSync(path.join(d, 'content', 'open', 'wikimedia-1.jpg'), 'changed');
    fails(d, `${path.join(d, 'content', 'open', 'wikimedia-1.jpg')} does not match its sha256 in ${path.join(d, 'content', 'photos.json')}`);
    d = fakeData();
    fs.writeFileSync(path.join(d, 'content', 'open', 'stray.JPG'), 'no licence');
    fails(d, `${path.join(d, 'content', 'open', 'stray.JPG')} is not in ${path.join(d, 'content', 'photos.json')}: its licence is unknown`);
    d = fakeData();
    fs.rmSync(path.join(d, 'content', 'open', 'WIKIMEDIA-SOURCES.md'));
    fails(d, `${path.join(d, 'content', 'photos.json')}: the licence of content/open/wikimedia-1.jpg points to content/open/WIKIMEDIA-SOURCES.md, which is not in ${path.join(d, 'content', 'open')}`);
    d = fakeData();
    fs.rmSync(path.join(d, 'content', 'photos.json'));
    fails(d, `${path.join(d, 'content', 'photos.json')} is missing (the list of training photos with their licences)`);
  });
});
