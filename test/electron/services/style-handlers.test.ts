// IPC handlers of the user's styles against a real engine on the shipped pack and its real learner
// (short runs): arguments checked, progress / preview / done events, built-in styles never renamed
// or deleted.
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventContract, EventName } from '../../../electron/common/ipc-contract.js';
import { addStyle, checkLearnRuntime } from '../../../electron/learning/style-learner.js';
import { ResultStore } from '../../../electron/services/media.js';
import { AllowedRoots } from '../../../electron/services/roots.js';
import { createStyleHandlers } from '../../../electron/services/style-handlers.js';
import { packEngines, PACK_MODELS, tmpDir, writePhoto } from '../engine/helpers.js';
import { HAVE_DATA, smallSharedDir } from '../learning/learn-helpers.js';

const packEngine = packEngines();

/** A root whose trainer-data/ is a few real photos and the VGG19 weights (as a packaged app has it). */
function dataRoot(): string {
  const root = path.join(tmpDir(), 'app');
  mkdirSync(root);
  if (HAVE_DATA) symlinkSync(smallSharedDir(), path.join(root, 'trainer-data'));
  return root;
}

async function setup(choose: string | null, root = dataRoot(), steps = 3) {
  const dir = tmpDir();
  const user = path.join(dir, 'styles');
  const engine = await packEngine({ device: 'cpu', userStylesDir: user, learner: addStyle });
  const events: { event: EventName; payload: unknown }[] = [];
  const roots = new AllowedRoots();
  const results = new ResultStore();
  const h = createStyleHandlers({
    engine: () => engine,
    ready: async () => engine,
    stylesList: () => ({ styles: engine.styles().map((s) => ({ ...s, multi: true })), errors: [] }),
    choosePainting: async () => choose,
    trainer: {
      root,
      // Far beyond any run here: the previews are the start's and the result's, however slow the steps.
      previewEveryS: 3600,
      steps,
      cacheDir: path.join(dir, 'cache'),
      async check() {
        const r = await checkLearnRuntime(PACK_MODELS, engine.models()[0]?.learn ?? null, root, {});
        return { ok: r.ok, message: r.ok ? null : r.message };
      },
    },
    roots,
    results,
    emit: <E extends EventName>(event: E, payload: EventContract[E]) => void events.push({ event, payload }),
  });
  return { dir, user, engine, events, roots, results, h };
}

describe('user style handlers', () => {
  it.skipIf(!HAVE_DATA)(
    'learns a style from the chosen painting with progress, a preview and the new style at the end',
    async () => {
      const dir = tmpDir();
      const painting = await writePhoto(path.join(dir, 'painting.jpg'));
      const s = await setup(painting);
      const photo = await writePhoto(path.join(s.dir, 'photo.jpg'), 80, 60, 2);
      s.roots.add(photo, 'file');
      expect(await s.h['styles:trainer']()).toEqual({ ok: true, value: { ready: true, message: null, minutes: { min: 0.5, max: 600, default: 10 } } });
      expect(await s.h['styles:choosePainting']()).toEqual({ ok: true, value: painting });
      const req = { painting, id: 'from-app', title: 'From the app', artist: '', minutes: 1, previewPhoto: photo };
      const started = await s.h['styles:add'](req);
      expect(started.ok).toBe(true);
      const again = await s.h['styles:add']({ ...req, id: 'second' });
      expect(again).toEqual({ ok: false, error: { code: 'not-allowed', message: 'A style is already being learned' } });
      await expect.poll(() => s.events.find((e) => e.event === 'styles:done'), { timeout: 180_000 }).toBeTruthy();
      const kinds = s.events.map((e) => e.event);
      expect(kinds.filter((k) => k === 'styles:progress').length).toBeGreaterThanOrEqual(2);
      // Previews of the start and of the result.
      expect(kinds.filter((k) => k === 'styles:preview').length).toBe(2);
      const preview = s.events.find((e) => e.event === 'styles:preview')?.payload as { id: string };
      expect(s.results.get(preview.id)?.mime).toBe('image/jpeg');
      const done = s.events.find((e) => e.event === 'styles:done')?.payload as EventContract['styles:done'];
      expect(done).toMatchObject({ cancelled: false, error: null, style: { id: 'from-app', title: 'From the app', source: 'user' } });
      expect(readdirSync(s.user)).toEqual(['from-app.json']);

      const renamed = await s.h['styles:rename']('from-app', 'New title');
      expect(renamed.ok && renamed.value.styles.find((x) => x.id === 'from-app')?.title).toBe('New title');
      expect(await s.h['styles:rename']('udnie', 'Mine')).toEqual({ ok: false, error: { code: 'not-allowed', message: "Style 'udnie' is built in: only your own styles can be renamed or deleted" } });
      expect(await s.h['styles:remove']('udnie')).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
      const removed = await s.h['styles:remove']('from-app');
      expect(removed.ok && removed.value.styles.some((x) => x.id === 'from-app')).toBe(false);
      expect(readdirSync(s.user)).toEqual([]);
    },
    300_000,
  );

  it.skipIf(!HAVE_DATA)(
    'cancel stops the run and leaves nothing',
    async () => {
      const dir = tmpDir();
      const painting = await writePhoto(path.join(dir, 'painting.jpg'));
      const s = await setup(painting, dataRoot(), 100_000);
      await s.h['styles:choosePainting']();
      const r = await s.h['styles:add']({ painting, id: 'cancel-me', title: 'T', artist: 'A', minutes: 1, previewPhoto: null });
      if (!r.ok) throw new Error(r.error.message);
      await expect.poll(() => s.events.some((e) => e.event === 'styles:progress'), { timeout: 180_000 }).toBe(true);
      expect(await s.h['styles:cancelAdd'](r.value.jobId)).toEqual({ ok: true, value: true });
      await expect.poll(() => s.events.find((e) => e.event === 'styles:done')?.payload, { timeout: 15_000 }).toMatchObject({ cancelled: true, style: null, error: null });
      expect(existsSync(s.user) ? readdirSync(s.user) : []).toEqual([]);
    },
    300_000,
  );

  it('without its data the trainer is not ready: the dialog is told what is missing and where it looked', async () => {
    const dir = tmpDir();
    const painting = await writePhoto(path.join(dir, 'painting.jpg'));
    // No trainer-data, one level down so ../shared/data is not there either.
    const root = path.join(tmpDir(), 'app');
    mkdirSync(root);
    const s = await setup(painting, root);
    const vgg = path.resolve(root, '..', 'shared', 'data', 'vgg19');
    const status = await s.h['styles:trainer']();
    expect(status).toMatchObject({ ok: true, value: { ready: false } });
    const message = status.ok ? (status.value.message ?? '') : '';
    expect(message).toMatch(new RegExp(`^Learning a style needs the VGG19 loss-network weights: ${path.join(vgg, 'model.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is missing`));
    expect(message).toContain('Learning a style needs training photos: ');
    await s.h['styles:choosePainting']();
    expect(await s.h['styles:add']({ painting, id: 'no-data', title: 'T', artist: '', minutes: 1, previewPhoto: null })).toEqual({ ok: false, error: { code: 'not-allowed', message } });
    expect(existsSync(s.user) ? readdirSync(s.user) : []).toEqual([]);
  });

  it('validates every argument', async () => {
    const dir = tmpDir();
    const painting = await writePhoto(path.join(dir, 'painting.jpg'));
    const s = await setup(painting);
    const ok = { painting, id: 'x', title: 'T', artist: '', minutes: 1, previewPhoto: null };
    const err = async (req: unknown): Promise<unknown> => {
      const r = await s.h['styles:add'](req);
      return r.ok ? 'accepted' : r.error;
    };
    expect(await err(ok)).toEqual({ code: 'not-allowed', message: `Refusing '${painting}': not a painting chosen in the dialog` });
    await s.h['styles:choosePainting']();
    expect(await err({ ...ok, id: 'Bad id' })).toEqual({
      code: 'bad-argument',
      message: "Expected an id of 1-64 lowercase letters, digits and '-', starting with a letter or digit for id but received 'Bad id'",
    });
    expect(await err({ ...ok, id: 'udnie' })).toEqual({ code: 'bad-argument', message: "Style 'udnie' is a built-in style; choose another id" });
    expect(await err({ ...ok, minutes: 0 })).toEqual({ code: 'bad-argument', message: 'Expected a number between 0.5 and 600 for minutes but received 0' });
    expect(await err({ ...ok, title: '' })).toEqual({ code: 'bad-argument', message: "Expected a text of 1-200 characters for title but received ''" });
    expect(await err({ ...ok, extra: 1 })).toEqual({ code: 'bad-argument', message: "Unknown key 'extra' in request" });
    expect(await err({ ...ok, previewPhoto: path.join(dir, 'elsewhere.jpg') })).toMatchObject({ code: 'not-allowed' });
    expect(await s.h['styles:rename']('ghost', 'T')).toEqual({ ok: false, error: { code: 'not-found', message: "Unknown style 'ghost' for styleId" } });
    expect(await s.h['styles:cancelAdd']('../x')).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
  });
});
