// The learner through the engine: what it checks before starting, a preview asked for while a style
// is being learned is answered (the learner yields between steps), and cancel leaves nothing.
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LearnInfo, TrainProgress } from '../../../electron/common/types.js';
import { addStyle, checkLearnRuntime } from '../../../electron/learning/style-learner.js';
import { packEngines, PACK_MODELS, ROOT, tmpDir, writePhoto } from '../engine/helpers.js';
import { HAVE_DATA, SHARED, smallSharedDir } from './learn-helpers.js';

const learn = (JSON.parse(readFileSync(path.join(PACK_MODELS, 'manifest.json'), 'utf8')) as { models: { learn?: LearnInfo }[] }).models[0]?.learn as LearnInfo;
const packEngine = packEngines();

describe('checkLearnRuntime', () => {
  it.skipIf(!HAVE_DATA)('is ready with the pack, the VGG19 weights and the photos', async () => {
    expect(await checkLearnRuntime(PACK_MODELS, learn, ROOT, { PASTICHE_SHARED_DIR: SHARED })).toEqual({ ok: true });
  });

  it('names a pack without learning graphs, a missing graph and a changed one', async () => {
    expect(await checkLearnRuntime(PACK_MODELS, null, ROOT, {})).toEqual({
      ok: false,
      missing: ['learning-graphs'],
      message: `The model pack in ${PACK_MODELS} has no learning graphs (no 'learn' entry in its manifest)`,
    });
    const gone = { ...learn, graph: { ...learn.graph, file: 'gone-learn.onnx' } };
    const r = await checkLearnRuntime(PACK_MODELS, gone, ROOT, { PASTICHE_SHARED_DIR: SHARED });
    expect(r).toMatchObject({ ok: false, missing: expect.arrayContaining(['learning-graphs']) });
    expect(r.ok ? '' : r.message).toContain(`Learning a style needs the pack's learning graphs: ${path.join(PACK_MODELS, 'gone-learn.onnx')} is missing`);
    const changed = { ...learn, grams: { ...learn.grams, sha256: 'f'.repeat(64) } };
    const c = await checkLearnRuntime(PACK_MODELS, changed, ROOT, { PASTICHE_SHARED_DIR: SHARED });
    expect(c.ok ? '' : c.message).toMatch(/pastiche-pack16-vec-grams\.onnx hashes to [0-9a-f]{12}…, not the manifest's ffffffffffff… \(a changed or partial file\)/);
  });

  it.skipIf(!HAVE_DATA)('names a VGG19 shard whose bytes are not the manifest’s', async () => {
    const vgg = learn.vgg.map((v) => (v.file.endsWith('group3-shard1of1') ? { ...v, sha256: 'e'.repeat(64) } : v));
    const r = await checkLearnRuntime(PACK_MODELS, { ...learn, vgg }, ROOT, { PASTICHE_SHARED_DIR: SHARED });
    expect(r).toMatchObject({ ok: false, missing: ['learning-graphs'] });
    expect(r.ok ? '' : r.message).toContain(`${path.join(SHARED, 'vgg19', 'group3-shard1of1')} hashes to 71a6dbaa06d7…, not the manifest's eeeeeeeeeeee… (a changed or different file)`);
  });
});

describe.skipIf(!HAVE_DATA)('learning through the engine', () => {
  it('answers a preview while a style is being learned, and cancel leaves nothing', async () => {
    const dir = tmpDir();
    const user = path.join(dir, 'styles');
    const painting = await writePhoto(path.join(dir, 'painting.jpg'), 96, 64, 3);
    const photo = await writePhoto(path.join(dir, 'photo.jpg'), 80, 60, 2);
    const engine = await packEngine({ device: 'cpu', threads: 2, userStylesDir: user, learner: addStyle });
    const root = tmpDir('pastiche-learn-root-');
    symlinkSync(smallSharedDir(), path.join(root, 'trainer-data'));
    const ac = new AbortController();
    const progress: TrainProgress[] = [];
    let settled = false;
    const run = engine
      .addStyle({ painting, id: 'busy', minutes: 0, steps: 100_000, dataRoot: root, cacheDir: path.join(dir, 'cache'), signal: ac.signal, onProgress: (p) => progress.push(p) })
      .finally(() => (settled = true));
    run.catch(() => undefined);
    await expect.poll(() => progress.length, { timeout: 180_000 }).toBeGreaterThan(0);
    const t0 = performance.now();
    const p = await engine.preview(photo, { style: 'udnie', size: 64 });
    const waited = performance.now() - t0;
    expect(p.width).toBe(64);
    expect(settled).toBe(false);
    // Answered between two steps, with the learner still going.
    const stepsBefore = progress.at(-1)?.step ?? 0;
    await expect.poll(() => progress.at(-1)?.step ?? 0, { timeout: 60_000 }).toBeGreaterThan(stepsBefore);
    console.log(`[style-learner.test] preview during learning answered in ${Math.round(waited)} ms`);
    ac.abort();
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(user) ? readdirSync(user) : []).toEqual([]);
    // At most the materialized graphs' cache remains (graphs with external data): no temp files.
    expect(
      readdirSync(dir)
        .filter((n) => n !== 'cache')
        .sort(),
    ).toEqual(['painting.jpg', 'photo.jpg']);
  }, 300_000);
});
