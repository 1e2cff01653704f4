import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planBatch } from '../../../electron/engine/batch.js';
import { Engine } from '../../../electron/engine/index.js';
import { readRecipe } from '../../../electron/engine/recipe-io.js';
import { FIXTURE_MODELS, WORKER, ensureBuilt, makeReadOnlyDir, mountTmpfs, tmpDir, writePhoto } from './helpers.js';

let engine: Engine;
beforeAll(async () => {
  ensureBuilt();
  engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: WORKER, device: 'cpu' });
});
afterAll(async () => {
  await engine?.close();
});

function listAll(d: string): string[] {
  return readdirSync(d, { recursive: true }).map(String).sort();
}

describe('batch planning', () => {
  it('gives unique names case-insensitively and refuses output == input', async () => {
    const d = tmpDir();
    for (const n of ['IMG.JPG', 'img.jpg', 'a.jpg', 'a.png']) await writePhoto(path.join(d, n), 32, 32);
    const plan = await planBatch([d], path.join(d, 'out'), { recursive: false, format: 'jpg' });
    const names = plan.files.map((f) => path.basename(f.output!));
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(4);
    expect(names.sort()).toEqual(['IMG.jpg', 'a-2.jpg', 'a.jpg', 'img-2.jpg'].sort());
    const same = await planBatch([path.join(d, 'a.jpg')], d, { recursive: false, format: 'jpg' });
    expect(same.files[0]).toMatchObject({ output: null, error: expect.stringMatching(/would overwrite an input photo/) });
  });
});

describe('batch planning against what is already there', () => {
  it("another export keeps its name, this photo's export with these settings is found, overwrite replaces", async () => {
    const d = tmpDir();
    const input = await writePhoto(path.join(d, 'a.jpg'), 32, 32);
    const out = path.join(d, 'out');
    const seen: string[] = [];
    const at = (map: Record<string, 'same' | 'other'>) => async (o: string) => (seen.push(path.basename(o)), map[path.basename(o)] ?? 'none');
    const name = (stem: string) => `${stem}_tide`;
    const plan = (map: Record<string, 'same' | 'other'>, overwrite = false) => planBatch([input], out, { recursive: false, format: 'jpg', name, existing: at(map), overwrite }).then((p) => p.files[0]);
    expect(await plan({})).toEqual({ input, output: path.join(out, 'a_tide.jpg'), placement: 'new' });
    expect(await plan({ 'a_tide.jpg': 'other', 'a_tide-2.jpg': 'other' })).toEqual({ input, output: path.join(out, 'a_tide-3.jpg'), placement: 'renamed', kept: path.join(out, 'a_tide.jpg') });
    expect(await plan({ 'a_tide.jpg': 'other', 'a_tide-2.jpg': 'same' })).toEqual({ input, output: path.join(out, 'a_tide-2.jpg'), placement: 'same' });
    expect(await plan({ 'a_tide.jpg': 'other' }, true)).toEqual({ input, output: path.join(out, 'a_tide.jpg'), placement: 'overwrite' });
    // The name template gets the bytes left for it beside "-N" and the extension.
    const sizes: number[] = [];
    await planBatch([input], out, { recursive: false, format: 'webp', name: (s, max) => (sizes.push(max), s), existing: at({ 'a.webp': 'other' }) });
    expect(sizes).toEqual([255 - 5, 255 - 7]);
    expect(seen).toContain('a_tide-3.jpg');
  });
});

describe('batch runs', () => {
  it("the recipe is written without the photo's metadata too; other settings are another export", async () => {
    const d = tmpDir();
    const input = await writePhoto(path.join(d, 'in', 'p.jpg'));
    const out = path.join(d, 'out');
    mkdirSync(out);
    const first = await engine.runBatch([input], out, { keepMetadata: false });
    const file = path.join(out, 'p_fixture-ember.jpg');
    expect(first.files[0]).toMatchObject({ status: 'ok', output: file, outcome: 'new' });
    const recipe = await readRecipe(file);
    expect(recipe).toMatchObject({ style: 'fixture-ember', styleTitle: 'Ember (fixture)', packId: 'fixture-pack', packFingerprint: null, source: 'p.jpg', strength: 1, brush: 1024, size: 'original' });
    expect(await engine.recipeFrom(file)).toMatchObject({ options: { style: 'fixture-ember', strength: 1, brush: 1024, preserveColors: false, size: 'original' } });
    const gps = await engine.runBatch([input], out, { keepMetadata: true, skipExisting: true });
    expect(gps.files[0]).toMatchObject({ status: 'ok', output: path.join(out, 'p_fixture-ember-2.jpg'), outcome: 'renamed' });
    const again = await engine.runBatch([input], out, { keepMetadata: false, skipExisting: true });
    expect(again.files[0]).toMatchObject({ status: 'skipped', output: file, outcome: 'same' });
    await expect(engine.runBatch([input], out, { nameTemplate: 'x' })).rejects.toThrow("Expected a template containing {name} for nameTemplate but received 'x'");
  });

  it('recursive mirrors the tree, bad files fail, batch goes on, originals untouched', async () => {
    const d = tmpDir();
    const src = path.join(d, 'src');
    await writePhoto(path.join(src, 'top.jpg'));
    await writePhoto(path.join(src, 'sub', 'deep', 'inner.png'));
    writeFileSync(path.join(src, 'sub', 'notes.jpg'), 'this is not an image');
    writeFileSync(path.join(src, 'sub', 'empty.png'), '');
    const before = readFileSync(path.join(src, 'top.jpg'));
    const out = path.join(d, 'out');
    mkdirSync(out);
    const progress: number[] = [];
    const r = await engine.runBatch([src], out, { recursive: true, format: 'png' }, (p) => progress.push(p.done));
    const byName = Object.fromEntries(r.files.map((f) => [path.basename(f.input), f]));
    expect(byName['top.jpg']).toMatchObject({ status: 'ok', output: path.join(out, 'top_fixture-ember.png') });
    expect(byName['inner.png']).toMatchObject({ status: 'ok', output: path.join(out, 'sub', 'deep', 'inner_fixture-ember.png') });
    expect(byName['notes.jpg']).toMatchObject({ status: 'failed', error: expect.stringMatching(/Text\/markup file|Not a recognised image/) });
    expect(byName['empty.png']).toMatchObject({ status: 'failed', error: 'File is empty (0 bytes)' });
    expect(readFileSync(path.join(src, 'top.jpg')).equals(before)).toBe(true);
    expect(progress.at(-1)).toBe(4);
    expect(listAll(out).filter((n) => n.includes('pastiche-tmp'))).toEqual([]);

    // Non-recursive: only the top level.
    const flat = await engine.runBatch([src], out, { format: 'png' });
    expect(flat.files.map((f) => path.basename(f.input))).toEqual(['top.jpg']);
  });

  it('skip-existing resumes; stale temp files of dead runs are swept', async () => {
    const d = tmpDir();
    await writePhoto(path.join(d, 'in', '1.jpg'));
    await writePhoto(path.join(d, 'in', '2.jpg'));
    const out = path.join(d, 'out');
    mkdirSync(out);
    writeFileSync(path.join(out, '.1_fixture-ember.jpg.pastiche-tmp-999999'), 'partial');
    const first = await engine.runBatch([path.join(d, 'in', '1.jpg')], out, {});
    expect(first.files[0]?.status).toBe('ok');
    expect(existsSync(path.join(out, '.1_fixture-ember.jpg.pastiche-tmp-999999'))).toBe(false);
    const mtime = statSync(path.join(out, '1_fixture-ember.jpg')).mtimeMs;
    const second = await engine.runBatch([path.join(d, 'in')], out, { skipExisting: true });
    expect(second.files.map((f) => f.status)).toEqual(['skipped', 'ok']);
    expect(second.files[0]).toMatchObject({ outcome: 'same', note: 'already exported with these settings as 1_fixture-ember.jpg' });
    expect(statSync(path.join(out, '1_fixture-ember.jpg')).mtimeMs).toBe(mtime);
  });

  it('refuses a missing or read-only output folder before starting', async () => {
    const d = tmpDir();
    const input = await writePhoto(path.join(d, 'a.jpg'));
    await expect(engine.runBatch([input], path.join(d, 'nope'), {})).rejects.toMatchObject({ code: 'OUTPUT', message: `Output folder does not exist: ${path.join(d, 'nope')}` });
    const ro = path.join(d, 'ro');
    const undo = makeReadOnlyDir(ro);
    if (!undo) return;
    try {
      await expect(engine.runBatch([input], ro, {})).rejects.toMatchObject({
        code: 'OUTPUT',
        message: expect.stringMatching(/^Cannot write to output folder .*: (it is on a read-only file system|it is not writable)$/),
      });
    } finally {
      undo();
    }
  });

  it('disk full stops the batch with a clear message and leaves no truncated file', async () => {
    if (process.getuid?.() !== 0) return;
    const d = tmpDir();
    const small = path.join(d, 'small');
    const unmount = mountTmpfs(small, 'size=64k');
    if (!unmount) return;
    try {
      const inputs = [];
      for (let i = 0; i < 4; i++) inputs.push(await writePhoto(path.join(d, `big${i}.png`), 200, 200, i + 1));
      const r = await engine.runBatch(inputs, small, { format: 'png' });
      expect(r.stoppedReason).toMatch(/^Disk full while writing /);
      expect(r.files.some((f) => f.status === 'failed' && /Disk full/.test(f.error ?? ''))).toBe(true);
      for (const n of readdirSync(small)) {
        expect(n).not.toMatch(/pastiche-tmp/);
      }
    } finally {
      unmount();
    }
  });

  it('cancel: stop between files, abort in flight, no partial files', async () => {
    const d = tmpDir();
    const inputs = [];
    for (let i = 0; i < 6; i++) inputs.push(await writePhoto(path.join(d, 'in', `c${i}.png`), 256, 256, i + 1));
    const out = path.join(d, 'out');
    mkdirSync(out);
    const stop = new AbortController();
    const r = await engine.runBatch(inputs, out, { stopSignal: stop.signal }, (p) => {
      if (p.done === 1) stop.abort();
    });
    expect(r.cancelled).toBe(true);
    expect(r.files.filter((f) => f.status === 'ok').length).toBeLessThan(6);
    // Files the batch never reached are 'not-started', not 'skipped' (that means "output exists").
    expect(r.files.some((f) => f.status === 'not-started')).toBe(true);
    expect(r.files.filter((f) => f.status !== 'ok').every((f) => f.status === 'not-started' && f.error === 'Cancelled before it started')).toBe(true);

    const hard = new AbortController();
    const out2 = path.join(d, 'out2');
    mkdirSync(out2);
    const p = engine.runBatch(
      inputs,
      out2,
      {},
      (pr) => {
        if (pr.current) hard.abort();
      },
      hard.signal,
    );
    const r2 = await p;
    expect(r2.cancelled).toBe(true);
    expect(r2.files[0]).toMatchObject({ status: 'cancelled', error: 'Cancelled' });
    expect(r2.files.every((f) => f.status === 'cancelled' || f.status === 'not-started')).toBe(true);
    expect(r2.files.at(-1)?.status).toBe('not-started');
    expect(readdirSync(out2)).toEqual([]);
  });
});

describe('batch progress', () => {
  it('has no ETA before a file is stylized, then a finite one, and 0 at the end', async () => {
    const d = tmpDir();
    for (const n of ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']) await writePhoto(path.join(d, 'in', n), 48, 48);
    const out = path.join(d, 'out');
    mkdirSync(out);
    const seen: { done: number; etaMs: number | null }[] = [];
    await engine.runBatch([path.join(d, 'in')], out, { format: 'jpg' }, (p) => seen.push({ done: p.done, etaMs: p.etaMs }));
    expect(seen[0]).toEqual({ done: 0, etaMs: null });
    const afterFirst = seen.filter((p) => p.done >= 1 && p.done < 4);
    expect(afterFirst.length).toBeGreaterThan(0);
    for (const p of afterFirst) expect(Number.isFinite(p.etaMs) && (p.etaMs ?? -1) >= 0).toBe(true);
    expect(seen.at(-1)).toEqual({ done: 4, etaMs: 0 });
  });
});
