// The trainer's supervised process (electron/engine/style-trainer.ts) against the stand-in trainer
// (test/fixtures/trainer): its command line, previews, and cancellation of a trainer that ignores
// SIGINT and leaves a partial file, as a killed one would.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addStyle, checkTrainerRuntime, sweepStaleRuns, TRAINER_MODULE, trainerArgs, type TrainProgress } from '../../../electron/engine/style-trainer.js';
import type { PackRef } from '../../../electron/engine/style-files.js';
import { PACK_MODELS, ROOT, tmpDir, writePhoto } from './helpers.js';

const FAKE_ROOT = path.join(ROOT, 'test/fixtures/trainer');
const entry = JSON.parse(readFileSync(path.join(PACK_MODELS, 'manifest.json'), 'utf8')).models[0];
const pack: PackRef = { id: entry.id, fingerprint: entry.pack.fingerprint, vectorSize: entry.io.styleVectorSize };

function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
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
  });

  it('finds the trainer and its modules, or names what is missing', async () => {
    expect(await checkTrainerRuntime('/usr/bin/python3', FAKE_ROOT)).toEqual({ ok: true, python: '/usr/bin/python3', root: FAKE_ROOT });
    const none = await checkTrainerRuntime('/usr/bin/python3', tmpDir());
    expect(none).toMatchObject({ ok: false, missing: ['trainer'] });
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
