// No export is lost: each style's output is named by the template, "skip existing" skips only
// this photo's export with these settings (the recipe in the file says so), and another export
// at a name is kept. The recipe is written into every output and read back by `--recipe` and
// by exiftool (a reader no one here wrote) where it is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, PACK_MODELS, ensureBuilt, tmpDir, writePhoto } from '../engine/helpers.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, PASTICHE_MODELS_DIR: PACK_MODELS, PASTICHE_STYLES_DIR: path.join(d, 'no-user-styles') },
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let d: string;
let photo: string;
beforeAll(async () => {
  ensureBuilt();
  d = tmpDir('pastiche-names-');
  photo = await writePhoto(path.join(d, 'kodim05.png'), 160, 120, 5);
});

const SMALL = ['--size', '96', '--threads', '1'];

describe('export names and skip-existing', () => {
  it('starry-night then great-wave into one folder: both files exist and differ; the same style again is skipped', async () => {
    const out = path.join(d, 'd');
    const first = cli(['stylize', photo, '--style', 'starry-night', '--out', out, '--skip-existing', ...SMALL]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('1 done, 0 failed, 0 skipped');
    const starry = path.join(out, 'kodim05_starry-night.jpg');
    const starryBytes = readFileSync(starry);
    // The recipe's style hash is the sha256 of the style file's float32 vector (its first 12 digits are the list's vectorSha).
    const listed = JSON.parse(cli(['styles', '--json']).stdout).find((s: { id: string }) => s.id === 'starry-night');
    expect((await sharp(starry).metadata()).xmpAsString).toMatch(new RegExp(`pastiche:StyleHash="${listed.vectorSha}[0-9a-f]{52}"`));

    const second = cli(['stylize', photo, '--style', 'great-wave', '--out', out, '--skip-existing', ...SMALL]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('1 done, 0 failed, 0 skipped');
    const wave = path.join(out, 'kodim05_great-wave.jpg');

    const third = cli(['stylize', photo, '--style', 'great-wave', '--out', out, ...SMALL]);
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toContain(`-> ${wave} (`);
    expect(third.stdout).toContain('replaced kodim05_great-wave.jpg, its export with the same settings');

    expect(readdirSync(out).sort()).toEqual(['kodim05_great-wave.jpg', 'kodim05_starry-night.jpg']);
    expect(readFileSync(starry).equals(starryBytes)).toBe(true);
    const [a, b] = await Promise.all([starry, wave].map((f) => sharp(f).raw().toBuffer()));
    let diff = 0;
    for (let i = 0; i < (a as Buffer).length; i++) diff += Math.abs((a as Buffer)[i]! - (b as Buffer)[i]!);
    expect(diff / (a as Buffer).length).toBeGreaterThan(10);

    const mtime = statSync(starry).mtimeMs;
    const again = cli(['stylize', photo, '--style', 'starry-night', '--out', out, '--skip-existing', '--json', ...SMALL]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).files).toEqual([
      { input: photo, output: starry, status: 'skipped', ms: 0, device: null, outcome: 'same', note: 'already exported with these settings as kodim05_starry-night.jpg' },
    ]);
    expect(statSync(starry).mtimeMs).toBe(mtime);
    // Other settings are another export: not skipped, and written beside it.
    const stronger = cli(['stylize', photo, '--style', 'starry-night', '--strength', '0.5', '--out', out, '--skip-existing', '--json', ...SMALL]);
    expect(JSON.parse(stronger.stdout).files[0]).toMatchObject({ status: 'ok', output: path.join(out, 'kodim05_starry-night-2.jpg'), outcome: 'renamed' });
    expect(readFileSync(starry).equals(starryBytes)).toBe(true);
  });

  it('a template without the style never overwrites: the next free name, or --overwrite', () => {
    const out = path.join(d, 'plain');
    const t = ['--name-template', '{name}', ...SMALL, '--json'];
    cli(['stylize', photo, '--style', 'starry-night', '--out', out, ...t]);
    const starry = readFileSync(path.join(out, 'kodim05.jpg'));
    const wave = JSON.parse(cli(['stylize', photo, '--style', 'great-wave', '--out', out, '--skip-existing', ...t]).stdout).files[0];
    expect(wave).toMatchObject({ status: 'ok', output: path.join(out, 'kodim05-2.jpg'), outcome: 'renamed', note: 'written as kodim05-2.jpg: kodim05.jpg is another export and was kept' });
    expect(readFileSync(path.join(out, 'kodim05.jpg')).equals(starry)).toBe(true);
    // Each style's skip finds its own file among the numbered names.
    const skips = ['starry-night', 'great-wave'].map((s) => JSON.parse(cli(['stylize', photo, '--style', s, '--out', out, '--skip-existing', ...t]).stdout).files[0]);
    expect(skips.map((f: { status: string; output: string }) => [f.status, path.basename(f.output)])).toEqual([
      ['skipped', 'kodim05.jpg'],
      ['skipped', 'kodim05-2.jpg'],
    ]);
    const over = JSON.parse(cli(['stylize', photo, '--style', 'udnie', '--out', out, '--overwrite', ...t]).stdout).files[0];
    expect(over).toMatchObject({ status: 'ok', output: path.join(out, 'kodim05.jpg'), outcome: 'overwritten', note: 'overwrote kodim05.jpg, another export (overwrite was asked)' });
    expect(readdirSync(out).sort()).toEqual(['kodim05-2.jpg', 'kodim05.jpg']);
  });

  it('--name-template is checked before any work', () => {
    for (const [t, msg] of [
      ['x', "--name-template: Expected a template containing {name} for --name-template but received 'x'"],
      ['{name}_{painter}', "(unknown: {painter}) for --name-template but received '{name}_{painter}'"],
      ['sub/{name}', "Expected a template without a path separator ('/')"],
    ] as const) {
      const r = cli(['stylize', photo, '--out', path.join(d, 'bad'), '--name-template', t]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(msg);
    }
    expect(existsSync(path.join(d, 'bad', 'kodim05_starry-night.jpg'))).toBe(false);
  });
});

describe('the recipe in the file', () => {
  it('--recipe paints other photos with the settings of a painted file', async () => {
    const out = path.join(d, 'recipe-src');
    const r = cli(['stylize', photo, '--style', 'starry-night=0.7,great-wave=0.3', '--strength', '0.8', '--brush', '512', '--preserve-colors', '--out', out, ...SMALL]);
    expect(r.code, r.stderr).toBe(0);
    const painted = path.join(out, 'kodim05_starry-night-70+great-wave-30.jpg');
    const other = await writePhoto(path.join(d, 'others', 'street.jpg'), 120, 90, 7);
    const again = cli(['stylize', '--recipe', painted, other, '--out', path.join(d, 'recipe-out'), '--json', '--threads', '1']);
    expect(again.code, again.stderr).toBe(0);
    const f = JSON.parse(again.stdout).files[0];
    expect(f).toMatchObject({ status: 'ok', output: path.join(d, 'recipe-out', 'street_starry-night-70+great-wave-30.jpg') });
    const xmp = (await sharp(f.output).metadata()).xmpAsString ?? '';
    for (const prop of ['Style="starry-night=0.7,great-wave=0.3"', 'Strength="0.8"', 'Brush="512"', 'PreserveColors="True"', 'Size="96"', 'Source="street.jpg"'])
      expect(xmp).toContain(`pastiche:${prop}`);

    const none = cli(['stylize', '--recipe', photo, other, '--out', path.join(d, 'recipe-out')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain(`--recipe: ${photo} holds no Pastiche recipe`);
    const both = cli(['stylize', '--recipe', painted, '--style', 'udnie', other, '--out', path.join(d, 'recipe-out')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--recipe and --style cannot be combined');
    // A recipe from another pack (or another version of it) is refused by name.
    const forged = path.join(d, 'forged.jpg');
    const forgedXmp = xmp.replace(/pastiche:PackFingerprint="[0-9a-f]+"/, `pastiche:PackFingerprint="${'0'.repeat(64)}"`);
    await sharp(photo).withXmp(forgedXmp).jpeg().toFile(forged);
    const wrong = cli(['stylize', '--recipe', forged, other, '--out', path.join(d, 'recipe-out')]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("was painted with another version of the pack 'pastiche-pack16'");
  });

  it("exiftool reads every field; the photo's own XMP and EXIF stay", async (ctx) => {
    const which = spawnSync('exiftool', ['-ver'], { encoding: 'utf8' });
    if (which.status !== 0) {
      console.log('skipped: exiftool is not installed (Debian: apt-get install libimage-exiftool-perl; scripts/setup-system.sh installs it)');
      ctx.skip();
    }
    const src = path.join(d, 'with-meta.jpg');
    await sharp(photo)
      .withExif({ IFD0: { Artist: 'Ansel', Copyright: 'CC0' } })
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>Ansel</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>',
      )
      .jpeg()
      .toFile(src);
    for (const format of ['jpg', 'png', 'webp', 'tiff', 'avif']) {
      const out = path.join(d, `exif-${format}`);
      const r = cli(['stylize', src, '--style', 'starry-night=3,great-wave=1', '--strength', '0.9', '--out', out, '--format', format, '--json', ...SMALL]);
      expect(r.code, r.stderr).toBe(0);
      const file = JSON.parse(r.stdout).files[0].output as string;
      const tags = JSON.parse(spawnSync('exiftool', ['-j', '-XMP-pastiche:all', '-XMP-dc:Creator', '-EXIF:Artist', file], { encoding: 'utf8' }).stdout)[0];
      expect(tags, format).toMatchObject({
        Style: 'starry-night=0.75,great-wave=0.25',
        StyleTitle: 'The Starry Night + The Great Wave off Kanagawa',
        BlendIds: 'starry-night,great-wave',
        BlendWeights: '0.75,0.25',
        StyleHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        PackId: 'pastiche-pack16',
        PackFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
        Strength: 0.9,
        Brush: 1024,
        PreserveColors: false,
        Size: 96,
        AppVersion: JSON.parse(readFileSync(path.join(BIN, '..', '..', 'package.json'), 'utf8')).version,
        Source: 'with-meta.jpg',
        Creator: 'Ansel',
      });
      if (format === 'jpg') expect(tags.Artist).toBe('Ansel');
    }
  });
});
