// The trainer's supervised process (electron/learning/style-trainer.ts) against the stand-in trainer
// (test/fixtures/trainer): its command line, previews, and cancellation of a trainer that ignores
// SIGINT and leaves a partial file, as a killed one would.
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addStyle, checkTrainerRuntime, sweepStaleRuns, TRAINER_MODULE, trainerArgs } from '../../../electron/learning/style-trainer.js';
import type { TrainProgress } from '../../../electron/common/types.js';
import type { PackRef } from '../../../electron/catalog/style-files.js';
import { PACK_MODELS, ROOT, tmpDir, writePhoto } from '../engine/helpers.js';

const FAKE_ROOT = path.join(ROOT, 'test/fixtures/trainer');
const entry = JSON.parse(readFileSync(path.join(PACK_MODELS, 'manifest.json'), 'utf8')).models[0];
const pack: PackRef = { id: entry.id, fingerprint: entry.pack.fingerprint, vectorSize: entry.io.styleVectorSize };

/** Runs fn with env set (undefined: unset), then restores process.env. */
function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  return fn().finally(() => {
    for (const [k, v] of Object.entries(old))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  });
}

describe('style trainer process', () => {
  it('spells the trainer command line in one place', () => {
    expect(TRAINER_MODULE).toBe('training.styles.learn');
    expect(
      trainerArgs({ painting: '/p.jpg', id: 'x', minutes: 10, outDir: '/o', modelsDir: '/m', packId: 'pastiche-pack16', title: 'T', preview: { photo: '/a.jpg', out: '/o/p.jpg', everyS: 60 } }),
    ).toEqual([
      '-m',
      'training.styles.learn',
      '/p.jpg',
      '--id',
      'x',
      '--minutes',
      '10',
      '--out',
      '/o',
      '--models',
      '/m',
      '--pack',
      'pastiche-pack16',
      '--title',
      'T',
      '--preview',
      '/a.jpg',
      '--preview-out',
      '/o/p.jpg',
      '--preview-every',
      '60',
    ]);
    expect(trainerArgs({ painting: '/p.jpg', id: 'x', minutes: 1, outDir: '/o', modelsDir: '/m', packId: 'p', contentDir: '/data/content/open' }).slice(-2)).toEqual([
      '--content',
      '/data/content/open',
    ]);
  });

  it('finds the trainer and its modules, or names what is missing', async () => {
    expect(await checkTrainerRuntime('/usr/bin/python3', FAKE_ROOT)).toEqual({ ok: true, python: '/usr/bin/python3', root: FAKE_ROOT });
    const none = await checkTrainerRuntime('/usr/bin/python3', tmpDir());
    expect(none).toMatchObject({ ok: false, missing: ['trainer'] });
  });

  it('names the missing trainer data, where it looked and the variable to set, with a missing Python too', async () => {
    // The trainer's files without its data folder, one level down so ../shared/data is not there.
    const root = path.join(tmpDir(), 'app');
    cpSync(path.join(FAKE_ROOT, 'training'), path.join(root, 'training'), { recursive: true });
    const shared = path.resolve(root, '..', 'shared', 'data');
    const r = await checkTrainerRuntime('/usr/bin/python3', root, {});
    expect(r).toMatchObject({ ok: false, missing: ['vgg19', 'training-photos'] });
    const message = r.ok ? '' : r.message;
    expect(message).toContain(`Learning a style needs the VGG19 loss-network weights: ${path.join(shared, 'vgg19', 'model.json')} is missing (the default beside the checkout`);
    expect(message).toContain(`\nLearning a style needs training photos: ${path.join(shared, 'content', 'open')} does not exist`);
    expect(message).toContain('Set PASTICHE_VGG_DIR');
    expect(message).toContain('Set PASTICHE_SHARED_DIR');
    // Data given by variable: ready.
    const given = await checkTrainerRuntime('/usr/bin/python3', root, { PASTICHE_SHARED_DIR: path.join(FAKE_ROOT, 'trainer-data') });
    expect(given).toEqual({ ok: true, python: '/usr/bin/python3', root });
    // Everything missing at once is said at once, the Python first.
    const py = path.join(root, 'no-python');
    const both = await checkTrainerRuntime(py, root, {});
    expect(both).toMatchObject({ ok: false, missing: ['python', 'vgg19', 'training-photos'] });
    expect(both.ok ? '' : both.message).toMatch(
      new RegExp(`^Learning a style needs Python 3 with PyTorch: ${py.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} not found\\. .+ or set PASTICHE_PYTHON\nLearning a style needs the VGG19`),
    );
  });

  it('starts the trainer on the data folder it checked: the shipped one, else the variables', async () => {
    const dir = tmpDir();
    const photo = await writePhoto(path.join(dir, 'photo.jpg'));
    const shipped = path.join(FAKE_ROOT, 'trainer-data');
    const provenance = async (id: string, env: Record<string, string | undefined>): Promise<Record<string, unknown>> =>
      withEnv(env, async () => {
        await addStyle({ painting: photo, id, minutes: 1, userStylesDir: path.join(dir, 'styles'), modelsDir: PACK_MODELS, pack, python: '/usr/bin/python3', root: FAKE_ROOT });
        return (JSON.parse(readFileSync(path.join(dir, 'styles', `${id}.json`), 'utf8')) as { provenance: Record<string, unknown> }).provenance;
      });
    expect(await provenance('shipped', { PASTICHE_SHARED_DIR: undefined, PASTICHE_VGG_DIR: undefined })).toMatchObject({
      content: path.join(shipped, 'content', 'open'),
      vggDir: path.join(shipped, 'vgg19'),
      sharedDir: shipped,
    });
    // A data folder named by the user wins over the shipped one.
    const own = path.join(dir, 'data');
    cpSync(shipped, own, { recursive: true });
    expect(await provenance('own', { PASTICHE_SHARED_DIR: own, PASTICHE_VGG_DIR: undefined })).toMatchObject({
      content: path.join(own, 'content', 'open'),
      vggDir: path.join(own, 'vgg19'),
      sharedDir: own,
    });
  });

  it('reports progress and previews, and installs only the finished file', async () => {
    const dir = tmpDir();
    const photo = await writePhoto(path.join(dir, 'photo.jpg'));
    const progress: TrainProgress[] = [];
    const previews: string[] = [];
    const s = await addStyle({
      painting: photo,
      id: 'learned',
      minutes: 1,
      userStylesDir: path.join(dir, 'styles'),
      modelsDir: PACK_MODELS,
      pack,
      python: '/usr/bin/python3',
      root: FAKE_ROOT,
      previewPhoto: photo,
      previewEveryS: 60,
      onProgress: (p) => progress.push(p),
      onPreview: (f) => previews.push(readFileSync(f).length ? f : ''),
    });
    expect(s.info).toMatchObject({ id: 'learned', source: 'user' });
    expect(progress.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    expect(previews).toHaveLength(1);
    expect(path.basename(previews[0] as string)).toBe('preview.jpg');
    expect(readdirSync(path.join(dir, 'styles'))).toEqual(['learned.json']);
    await expect(addStyle({ painting: photo, id: 'learned', minutes: 1, userStylesDir: path.join(dir, 'styles'), modelsDir: PACK_MODELS, pack, root: FAKE_ROOT })).rejects.toThrow(
      `A style file for 'learned' already exists: ${path.join(dir, 'styles', 'learned.json')}`,
    );
  });

  it('a trainer that ignores SIGINT is stopped with SIGTERM and its partial file removed', async () => {
    const dir = tmpDir();
    const photo = await writePhoto(path.join(dir, 'photo.jpg'));
    const st = path.join(dir, 'styles');
    const abort = new AbortController();
    const t0 = Date.now();
    await withEnv({ FAKE_TRAINER_STUBBORN: '1', FAKE_TRAINER_STEPS: '1000', FAKE_TRAINER_STEP_S: '0.05' }, async () => {
      const run = addStyle({
        painting: photo,
        id: 'stubborn',
        minutes: 1,
        userStylesDir: st,
        modelsDir: PACK_MODELS,
        pack,
        root: FAKE_ROOT,
        signal: abort.signal,
        cancelGraceMs: 300,
        onProgress: (p) => p.step === 3 && abort.abort(),
      });
      await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(readdirSync(st)).toEqual([]);
  });

  it('removes the work folder of a run whose process was killed outright, never a live one', async () => {
    const st = tmpDir();
    // A pid that is not running: above the kernel's pid_max.
    const dead = path.join(st, '.adding-gone-4194999-0123abcd');
    const live = path.join(st, `.adding-live-${process.ppid}-89abcdef`);
    for (const d of [dead, live]) {
      mkdirSync(d);
      writeFileSync(path.join(d, 'partial.tmp'), '{"format":');
    }
    writeFileSync(path.join(st, 'mine.json'), '{}');
    expect(await sweepStaleRuns(st)).toEqual([dead]);
    expect(readdirSync(st).sort()).toEqual([path.basename(live), 'mine.json'].sort());
  });
});
