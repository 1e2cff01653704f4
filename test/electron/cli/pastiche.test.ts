import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, FIXTURE_MODELS, ensureBuilt, tmpDir, writePhoto } from '../engine/helpers.js';

function cli(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PASTICHE_MODELS_DIR: FIXTURE_MODELS },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let d: string;
beforeAll(() => {
  ensureBuilt();
  d = tmpDir();
});

describe('pastiche CLI', () => {
  it('styles --json lists the manifest styles', () => {
    const r = cli(['styles', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.map((s: { id: string }) => s.id)).toEqual(['fixture-ember', 'fixture-tide', 'fixture-moss']);
    expect(list[0]).toMatchObject({ title: 'Ember (fixture)', artist: 'Pastiche tests', model: 'fixture-pack' });
  });

  it('stylize --json: one JSON object, default style, exit 0; exit 1 when a file fails', async () => {
    const a = await writePhoto(path.join(d, 'in', 'a.jpg'));
    writeFileSync(path.join(d, 'in', 'b.jpg'), '%PDF-1.4 renamed');
    const ok = cli(['stylize', a, '--out', path.join(d, 'out'), '--json']);
    expect(ok.code).toBe(0);
    const rep = JSON.parse(ok.stdout);
    expect(Object.keys(rep).sort()).toEqual(['device', 'files']);
    expect(rep.device).toBe('cpu');
    // The default brush (1024) is larger than this 96x64 photo: painted at its size, quietly
    // (nobody chose it; with --brush the same is said, below).
    expect(rep.files).toEqual([
      { input: a, output: path.join(d, 'out', 'a_fixture-ember.jpg'), status: 'ok', ms: expect.any(Number), device: 'cpu', outcome: 'new', note: 'written as a_fixture-ember.jpg' },
    ]);
    expect(rep.files[0]).not.toHaveProperty('warnings');
    const mixedArgs = ['--out', path.join(d, 'out2'), '--json', '--format', 'webp', '--size', '64', '--strength', '0.5', '--style', 'fixture-tide=1,fixture-moss=1'];
    const mixed = cli(['stylize', path.join(d, 'in'), ...mixedArgs]);
    expect(mixed.code).toBe(1);
    const rep2 = JSON.parse(mixed.stdout);
    expect(rep2.files.map((f: { status: string }) => f.status)).toEqual(['ok', 'failed']);
    expect(rep2.files[1].error).toMatch(/PDF documents are not supported/);
    expect(existsSync(path.join(d, 'out2', 'a_fixture-tide-50+fixture-moss-50.webp'))).toBe(true);
    const again = cli(['stylize', path.join(d, 'in', 'a.jpg'), ...mixedArgs, '--skip-existing']);
    expect(JSON.parse(again.stdout).files[0].status).toBe('skipped');
  });

  it('stylize --style all: every style in one batch, each into its own subfolder', async () => {
    const a = await writePhoto(path.join(d, 'all-in', 'a.jpg'));
    const r = cli(['stylize', a, '--out', path.join(d, 'all-out'), '--style', 'all', '--size', '64', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout);
    const ids = ['fixture-ember', 'fixture-tide', 'fixture-moss'];
    expect(rep.files).toEqual(
      ids.map((id) => ({
        input: a,
        output: path.join(d, 'all-out', id, `a_${id}.jpg`),
        style: id,
        status: 'ok',
        ms: expect.any(Number),
        device: 'cpu',
        outcome: 'new',
        note: `written as a_${id}.jpg`,
      })),
    );
    for (const id of ids) expect(existsSync(path.join(d, 'all-out', id, `a_${id}.jpg`))).toBe(true);
    const text = cli(['stylize', a, '--out', path.join(d, 'all-out'), '--style', ' all ', '--size', '64', '--skip-existing']);
    expect(text.code).toBe(0);
    expect(text.stdout.trim().split('\n')).toEqual(ids.map((id) => `skipped ${a} (already exported with these settings as a_${id}.jpg)`));
    expect(text.stderr).toContain('0 done, 0 failed, 3 skipped');
  });

  it('usage errors exit 2 and name the flag', async () => {
    const a = await writePhoto(path.join(d, 'u.jpg'));
    const cases: [string[], RegExp][] = [
      [['stylize', a, '--out', d, '--size', 'abc'], /--size: Expected integer between 64 and 16384 or 'original' for size but received 'abc'/],
      [['stylize', a, '--out', d, '--brush', '10'], /--brush: Expected integer between 256 and 8192 or 'native' for brush but received '10'/],
      [['stylize', a, '--out', d, '--brush', 'abc'], /--brush: Expected integer between 256 and 8192 or 'native' for brush but received 'abc'/],
      [['stylize', a, '--out', d, '--brush', '9000'], /--brush: Expected integer between 256 and 8192 or 'native' for brush but received '9000'/],
      [['bench', '--photos', a, '--brush', 'native'], /--brush: the photo comparison needs a brush size, not 'native'/],
      [['stylize', a, '--out', d, '--format', 'gif'], /--format: Expected one of jpg, png, webp, tiff, avif for format but received 'gif'/],
      [['stylize', a, '--out', d, '--strength', '2'], /--strength: Expected number between 0 and 1 for strength but received '2'/],
      [['stylize', a, '--out', d, '--device', 'tpu'], /--device/],
      [['stylize', a, '--out', d, '--precision', 'int4'], /--precision: Expected one of auto, fp32 for precision but received 'int4'/],
      [['bench', '--precision', 'fp8'], /--precision: Expected one of auto, fp32 for precision but received 'fp8'/],
      [['stylize', a, '--out', d, '--style', 'nope'], /--style: Unknown style 'nope'/],
      [['stylize', a, '--out', d, '--style', 'all,fixture-tide'], /--style: Expected style id or id=weight\[,id=weight\.\.\.\] for style but received 'all,fixture-tide'/],
      [['stylize', a, '--out', d, '--bogus'], /Unknown option '--bogus'/],
      [['stylize', a], /Missing required option --out/],
      [['stylize', '--out', d], /Missing input/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, re] of cases) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(re);
    }
  });

  it('--brush above a photo (no --upscale) paints at the photo size with a warning', async () => {
    const a = await writePhoto(path.join(d, 'small-brush.jpg'));
    const { width, height } = await sharp(a).metadata();
    const r = cli(['stylize', a, '--out', path.join(d, 'brush-out'), '--brush', '2048', '--size', '4000', '--json']);
    expect(r.code).toBe(0);
    const [f] = JSON.parse(r.stdout).files;
    expect(f.warnings).toEqual([`Brush 2048 px is larger than the photo (${width}x${height}): painted at the photo's own size (strokes are larger relative to the picture)`]);
    expect(await sharp(f.output).metadata()).toMatchObject({ width, height });
    // The default's value, asked for: said too (only the unasked default is quiet).
    const asked = cli(['stylize', a, '--out', path.join(d, 'brush-asked'), '--brush', '1024', '--json']);
    expect(JSON.parse(asked.stdout).files[0].warnings).toEqual([
      `Brush 1024 px is larger than the photo (${width}x${height}): painted at the photo's own size (strokes are larger relative to the picture)`,
    ]);
    const native = cli(['stylize', a, '--out', path.join(d, 'brush-native'), '--brush', 'native', '--json']);
    expect(JSON.parse(native.stdout).files[0].warnings).toBeUndefined();
  });

  it('refuses a file path as --out with exit 2 naming --out', async () => {
    const a = await writePhoto(path.join(d, 'f.jpg'));
    const r = cli(['stylize', a, '--out', a]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out/);
  });

  it('doctor --json reports versions, providers and models', () => {
    const r = cli(['doctor', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ onnxruntime: '1.30.0', sharp: '0.35.5', models: [{ id: 'fixture-pack', ok: true }] });
    expect(doc.probes.find((p: { name: string }) => p.name === 'cpu').ok).toBe(true);
    expect(typeof doc.gpuAdapterFound).toBe('boolean');
  });

  it('--help lists commands', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stylize/);
    expect(cli(['stylize', '--help']).stdout).toMatch(/--preserve-colors/);
    mkdirSync(path.join(d, 'x'), { recursive: true });
  });
});
