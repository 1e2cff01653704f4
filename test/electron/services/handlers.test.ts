import { beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { EventContract, EventName } from '../../../electron/common/ipc-contract.js';
import { normalizeDoctor } from '../../../electron/services/doctor.js';
import { createHandlers, type HandlerHost } from '../../../electron/services/handlers.js';
import { call, dispatch, isTrustedSender } from '../../../electron/services/ipc-handler.js';
import { StyleThumbs } from '../../../electron/services/style-thumbs.js';
import { DroppedPaths } from '../../../electron/services/drops.js';
import { ResultStore } from '../../../electron/services/media.js';
import { AllowedRoots } from '../../../electron/services/roots.js';
import { SettingsStore } from '../../../electron/services/settings.js';
import { FakeEngine } from './fake-engine.js';

const APP = 'pastiche://app';

interface Setup {
  host: HandlerHost;
  engine: FakeEngine;
  drops: DroppedPaths;
  /** Engines made by createEngine (device switches), in order. */
  created: FakeEngine[];
  roots: AllowedRoots;
  events: { event: EventName; payload: unknown }[];
  dirs: { photos: string; out: string; outside: string; base: string };
  opened: string[];
}

async function setup(): Promise<Setup> {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-handlers-')));
  const photos = path.join(base, 'photos');
  const out = path.join(base, 'out');
  const outside = path.join(base, 'outside');
  for (const d of [photos, path.join(photos, 'sub'), outside]) fs.mkdirSync(d, { recursive: true });
  const img = sharp({ create: { width: 64, height: 48, channels: 3, background: '#345678' } }).jpeg();
  await img.clone().toFile(path.join(photos, 'a.jpg'));
  await img.clone().toFile(path.join(photos, 'sub', 'b.jpg'));
  await img.clone().toFile(path.join(outside, 'c.jpg'));
  fs.writeFileSync(path.join(photos, 'notes.txt'), 'not a photo');
  fs.writeFileSync(path.join(photos, 'broken.jpg'), Buffer.from([0xff, 0xd8, 0xff, 1, 2]));
  const engine = new FakeEngine();
  const drops = new DroppedPaths();
  const created: FakeEngine[] = [];
  const roots = new AllowedRoots();
  const events: Setup['events'] = [];
  const opened: string[] = [];
  const host = createHandlers({
    engine,
    createEngine: async (device) => {
      const e = new FakeEngine(device);
      created.push(e);
      return e;
    },
    drops,
    dropGraceMs: 60,
    dialogs: {
      openFolder: async () => photos,
      openFiles: async () => [path.join(photos, 'a.jpg'), path.join(photos, 'notes.txt')],
      chooseOutputFolder: async () => out,
      chooseRecipe: async () => recipeAnswer.file,
    },
    roots,
    settings: new SettingsStore(path.join(base, 'user', 'settings.json')),
    results: new ResultStore(),
    styleThumbs: new StyleThumbs(path.join(base, 'cache', 'styles'), path.join(photos, 'a.jpg')),
    emit: <E extends EventName>(event: E, payload: EventContract[E]) => events.push({ event, payload }),
    openPath: async (p) => {
      opened.push(p);
      return '';
    },
    appInfo: { version: '0.0.0', platform: 'linux', arch: 'x64', modelsDir: null, tileSize: 1449 },
  });
  return { host, engine, drops, created, roots, events, dirs: { photos, out, outside, base }, opened };
}

const recipeAnswer: { file: string | null } = { file: null };

const req = { style: 'ember', size: 512, exportSize: 'original' as const, brush: 1024, strength: 1, preserveColors: false };

describe('sender validation', () => {
  it('trusts only the app origin', () => {
    expect(isTrustedSender('pastiche://app/index.html', [APP])).toBe(true);
    expect(isTrustedSender('pastiche://photo/x', [APP])).toBe(false);
    expect(isTrustedSender('https://evil.example/', [APP])).toBe(false);
    expect(isTrustedSender('file:///etc/passwd', [APP])).toBe(false);
    expect(isTrustedSender('', [APP])).toBe(false);
    expect(isTrustedSender(null, [APP])).toBe(false);
    expect(isTrustedSender('not a url', [APP])).toBe(false);
  });

  it('dispatch refuses bad senders and unknown channels before any handler runs', async () => {
    const { host } = await setup();
    expect(await dispatch(host.handlers, 'settings:get', 'https://evil.example/', [APP], [])).toEqual({
      ok: false,
      error: { code: 'bad-sender', message: "Refused IPC from untrusted sender 'https://evil.example/'" },
    });
    expect(await dispatch(host.handlers, 'settings:get', null, [APP], [])).toMatchObject({ ok: false, error: { code: 'bad-sender' } });
    expect(await dispatch(host.handlers, 'fs:readFile', `${APP}/index.html`, [APP], [])).toEqual({
      ok: false,
      error: { code: 'bad-argument', message: "Unknown channel 'fs:readFile'" },
    });
    expect(await dispatch(host.handlers, 'settings:get', `${APP}/index.html`, [APP], [])).toMatchObject({ ok: true });
  });
});

describe('argument validation', () => {
  let s: Setup;
  beforeEach(async () => {
    s = await setup();
    await call(s.host.handlers, 'gallery:openFolder');
  });

  it('checks arity', async () => {
    expect(await s.host.handlers['settings:get']('extra')).toEqual({ ok: false, error: { code: 'bad-argument', message: 'Expected 0 arguments but received 1' } });
    expect(await s.host.handlers['preview:render']()).toEqual({ ok: false, error: { code: 'bad-argument', message: 'Expected 3 arguments but received 0' } });
  });

  it('refuses non-string, relative, dotdot and outside photo paths', async () => {
    const h = s.host.handlers;
    expect(await h['preview:render'](42, req, 't1')).toEqual({ ok: false, error: { code: 'bad-argument', message: 'Expected string for photo but received 42' } });
    expect(await h['preview:render']('a.jpg', req, 't1')).toMatchObject({ error: { code: 'bad-argument', message: "Expected absolute path for photo but received 'a.jpg'" } });
    const dotdot = `${s.dirs.photos}/../outside/c.jpg`;
    expect(await h['preview:render'](dotdot, req, 't1')).toMatchObject({ error: { code: 'bad-argument', message: `Expected photo without '..' segments but received '${dotdot}'` } });
    expect(await h['preview:render'](path.join(s.dirs.outside, 'c.jpg'), req, 't1')).toMatchObject({ error: { code: 'not-allowed' } });
  });

  it('validates preview requests precisely', async () => {
    const h = s.host.handlers;
    const photo = path.join(s.dirs.photos, 'a.jpg');
    expect(await h['preview:render'](photo, { ...req, size: 'abc' }, 't1')).toMatchObject({ error: { message: "Expected integer between 64 and 4096 for size but received 'abc'" } });
    expect(await h['preview:render'](photo, { ...req, strength: 2 }, 't1')).toMatchObject({ error: { message: 'Expected number between 0 and 1 for strength but received 2' } });
    expect(await h['preview:render'](photo, { ...req, style: 'nope' }, 't1')).toMatchObject({ error: { code: 'not-found', message: "Unknown style 'nope' for style" } });
    expect(await h['preview:render'](photo, { ...req, style: { ember: 0.5, solo: 0.5 } }, 't1')).toMatchObject({ error: { message: "Style 'solo' cannot be blended: its model has a single style" } });
    expect(await h['preview:render'](photo, { ...req, brush: 10 }, 't1')).toMatchObject({ error: { message: "Expected integer between 256 and 8192 or 'native' for brush but received 10" } });
    // Strict over IPC: a string is a renderer bug, not something to parse.
    expect(await h['preview:render'](photo, { ...req, brush: '1024' }, 't1')).toMatchObject({ error: { message: "Expected integer between 256 and 8192 or 'native' for brush but received '1024'" } });
    expect(await h['preview:render'](photo, { ...req, exportSize: 10 }, 't1')).toMatchObject({
      error: { message: "Expected integer between 64 and 16384 or 'original' for exportSize but received 10" },
    });
    expect(await h['preview:render'](photo, { ...req, extra: 1 }, 't1')).toMatchObject({ error: { message: "Unknown key 'extra' in preview request" } });
    expect(await h['preview:render'](photo, req, '../t')).toMatchObject({ error: { code: 'bad-argument', message: expect.stringContaining('for ticket') } });
  });

  it('renders a preview inside the opened folder, with a blend', async () => {
    const r = await call(s.host.handlers, 'preview:render', path.join(s.dirs.photos, 'sub', 'b.jpg'), { ...req, style: { ember: 0.3, tide: 0.7 } }, 't1');
    expect(r).toMatchObject({ ok: true, value: { width: 8, height: 6, sourceWidth: 64, sourceHeight: 48, provider: 'cpu' } });
    // The app's default brush is nobody's choice, in a preview as in the export it stands for.
    expect(s.engine.previews.at(-1)).toMatchObject({ style: { ember: 0.3, tide: 0.7 }, exportSize: 'original', brush: 1024, brushChosen: false });
    // The export's plan and the timings travel to the renderer for its estimates.
    expect(r.ok && r.value.exportPlan).toMatchObject({ mode: 'paint', width: 64, height: 48 });
    expect(r.ok && r.value.timings.passes).toHaveLength(1);
  });

  it('reports an undecodable photo as an io error naming the file', async () => {
    const r = await call(s.host.handlers, 'preview:render', path.join(s.dirs.photos, 'broken.jpg'), req, 't1');
    expect(r).toMatchObject({ ok: false, error: { code: 'io', message: expect.stringContaining("Cannot read 'broken.jpg'") } });
  });

  it('refuses ids that are paths', async () => {
    expect(await s.host.handlers['styles:thumbnail']('../../etc/passwd', { photo: null, brush: 1024, exportSize: 'original' })).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
    expect(await s.host.handlers['export:cancel']({})).toMatchObject({ ok: false, error: { code: 'bad-argument', message: expect.stringContaining('for jobId but received {}') } });
  });

  it('shell:openPath only opens folders the user opened or chose', async () => {
    expect(await s.host.handlers['shell:openPath']('/etc')).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    expect(await s.host.handlers['shell:openPath'](s.dirs.photos)).toEqual({ ok: true, value: null });
    expect(s.opened).toEqual([s.dirs.photos]);
  });

  it('gallery:list only rescans opened folders', async () => {
    expect(await s.host.handlers['gallery:list'](s.dirs.outside)).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    const r = await call(s.host.handlers, 'gallery:list', s.dirs.photos);
    expect(r.ok && r.value.photos.map((p) => p.rel)).toEqual(['a.jpg', 'broken.jpg', 'sub/b.jpg']);
  });
});

describe('flows', () => {
  it('open files ignores non-photos and allows exactly those files', async () => {
    const s = await setup();
    const r = await call(s.host.handlers, 'gallery:openFiles');
    expect(r.ok && r.value?.photos.map((p) => p.name)).toEqual(['a.jpg']);
    expect(s.roots.resolve(path.join(s.dirs.photos, 'a.jpg'))).not.toBeNull();
    expect(s.roots.resolve(path.join(s.dirs.photos, 'sub', 'b.jpg'))).toBeNull();
  });

  it('dropped paths: a folder opens as a gallery; missing paths are refused', async () => {
    const s = await setup();
    s.drops.record(0, [s.dirs.photos]);
    const r = await call(s.host.handlers, 'gallery:addPaths', [s.dirs.photos]);
    expect(r.ok && r.value.root).toBe(s.dirs.photos);
    const missing = path.join(s.dirs.base, 'missing');
    s.drops.record(0, [missing]);
    expect(await s.host.handlers['gallery:addPaths']([missing])).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await s.host.handlers['gallery:addPaths']('nope')).toMatchObject({ ok: false, error: { message: "Expected array for paths but received 'nope'" } });
  });

  it('dropped paths: only what the preload saw dropped on that window is accepted, once', async () => {
    const s = await setup();
    // The page names a folder nobody dropped: refused, and it does not become an allowed root.
    const r1 = await s.host.handlers['gallery:addPaths']([s.dirs.outside]);
    expect(r1).toMatchObject({ ok: false, error: { code: 'not-allowed', message: expect.stringContaining('not dropped on this window') } });
    expect(s.roots.resolve(path.join(s.dirs.outside, 'c.jpg'))).toBeNull();
    // Dropped on another window (sender 7) does not count for sender 0, and vice versa.
    s.drops.record(7, [s.dirs.outside]);
    expect(await s.host.handlers['gallery:addPaths']([s.dirs.outside])).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    // A mix of dropped and not-dropped paths is refused as a whole (nothing consumed).
    const mixed = await s.host.forSender(7)['gallery:addPaths']([s.dirs.outside, s.dirs.photos]);
    expect(mixed).toMatchObject({ ok: false, error: { code: 'not-allowed', message: expect.stringContaining(s.dirs.photos) } });
    // The real drop on window 7 works there, once.
    const ok = await call(s.host.forSender(7), 'gallery:addPaths', [s.dirs.outside]);
    expect(ok.ok && ok.value.root).toBe(s.dirs.outside);
    expect(s.roots.resolve(path.join(s.dirs.outside, 'c.jpg'))).not.toBeNull();
    expect(await s.host.forSender(7)['gallery:addPaths']([s.dirs.outside])).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    // The preload's report may arrive just after the page's call (separate IPC pipes): it waits briefly.
    setTimeout(() => s.drops.record(0, [s.dirs.photos]), 20);
    expect(await call(s.host.handlers, 'gallery:addPaths', [s.dirs.photos])).toMatchObject({ ok: true });
    // A closed window's drops are forgotten.
    s.drops.record(9, [s.dirs.photos]);
    s.host.forgetSender(9);
    expect(s.drops.size(9)).toBe(0);
  });

  it('export: refuses an output folder that was not chosen, then runs, reports progress and done', async () => {
    const s = await setup();
    await call(s.host.handlers, 'gallery:openFolder');
    const request = {
      files: [path.join(s.dirs.photos, 'a.jpg')],
      folders: [],
      outDir: s.dirs.outside,
      recursive: true,
      skipExisting: false,
      options: { style: 'tide', size: 'original' as const, brush: 1024, strength: 1, preserveColors: false, format: 'jpg' as const, quality: 90, keepMetadata: true, stripGps: true },
    };
    expect(await call(s.host.handlers, 'export:start', request)).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    const dir = await call(s.host.handlers, 'export:chooseFolder');
    expect(dir).toEqual({ ok: true, value: s.dirs.out });
    expect(await call(s.host.handlers, 'export:start', { ...request, outDir: s.dirs.out, options: { ...request.options, size: 20 } })).toMatchObject({
      ok: false,
      error: { message: "Expected integer between 64 and 16384 or 'original' for size but received 20" },
    });
    expect(await call(s.host.handlers, 'export:start', { ...request, outDir: s.dirs.out, nameTemplate: '{style}' })).toMatchObject({
      ok: false,
      error: { code: 'bad-argument', message: "Expected a template containing {name} for nameTemplate but received '{style}'" },
    });
    const started = await call(s.host.handlers, 'export:start', { ...request, outDir: s.dirs.out, folders: [path.join(s.dirs.photos, 'sub')], nameTemplate: '{name}-{style}' });
    expect(started.ok).toBe(true);
    const jobId = started.ok ? started.value.jobId : '';
    await expect.poll(() => s.events.some((e) => e.event === 'export:done')).toBe(true);
    const done = s.events.find((e) => e.event === 'export:done')!.payload as EventContract['export:done'];
    expect(done).toMatchObject({ jobId, outDir: s.dirs.out, report: { cancelled: false } });
    expect(s.engine.batches[0]?.inputs).toEqual([path.join(s.dirs.photos, 'a.jpg'), path.join(s.dirs.photos, 'sub')]);
    // The app always sends a brush: at the default it is nobody's choice (no "larger than the photo" warnings).
    expect(s.engine.batches[0]?.brushChosen).toBe(false);
    expect(s.engine.batches[0]?.nameTemplate).toBe('{name}-{style}');
    expect(s.events.filter((e) => e.event === 'export:progress').length).toBeGreaterThan(0);
    expect(s.events.some((e) => e.event === 'engine:status' && (e.payload as { state: string }).state === 'busy')).toBe(true);
  });

  it('export of several styles: each style in turn into the same folder, one progress and one report', async () => {
    const s = await setup();
    await call(s.host.handlers, 'gallery:openFolder');
    await call(s.host.handlers, 'export:chooseFolder');
    const options = { style: 'ember', size: 'original' as const, brush: 1024, strength: 1, preserveColors: false, format: 'jpg' as const, quality: 90, keepMetadata: true, stripGps: true };
    const files = [path.join(s.dirs.photos, 'a.jpg'), path.join(s.dirs.photos, 'sub', 'b.jpg')];
    const base = { files, folders: [], outDir: s.dirs.out, recursive: false, skipExisting: true, options };
    expect(await call(s.host.handlers, 'export:start', { ...base, styles: ['tide', 'nope'] })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call(s.host.handlers, 'export:start', { ...base, styles: ['tide', { ember: 0.5, tide: 0.5 }] })).toMatchObject({ ok: true });
    await expect.poll(() => s.events.some((e) => e.event === 'export:done')).toBe(true);
    expect(s.engine.batches.map((b) => b.style)).toEqual(['tide', { ember: 0.5, tide: 0.5 }]);
    const done = s.events.find((e) => e.event === 'export:done')!.payload as EventContract['export:done'];
    expect(done.report.files).toHaveLength(4);
    const progress = s.events.filter((e) => e.event === 'export:progress').map((e) => e.payload as EventContract['export:progress']);
    expect(progress.every((p) => p.total === 4)).toBe(true);
    expect(progress.at(-1)?.done).toBe(4);
  });

  it('recipe:open reads the recipe of the chosen painted file; cancel is null; no recipe is an error naming the file', async () => {
    const s = await setup();
    recipeAnswer.file = null;
    expect(await call(s.host.handlers, 'recipe:open')).toEqual({ ok: true, value: null });
    recipeAnswer.file = path.join(s.dirs.out, 'painted.jpg');
    expect(await call(s.host.handlers, 'recipe:open')).toEqual({
      ok: true,
      value: { file: recipeAnswer.file, style: { ember: 0.7, tide: 0.3 }, styleTitle: 'EMBER + TIDE', strength: 0.8, brush: 512, preserveColors: true, size: 'original', appVersion: '0.0.0' },
    });
    recipeAnswer.file = path.join(s.dirs.photos, 'a.jpg');
    expect(await call(s.host.handlers, 'recipe:open')).toEqual({ ok: false, error: { code: 'not-found', message: `${recipeAnswer.file} holds no Pastiche recipe` } });
  });

  it('export:cancel aborts the running job', async () => {
    const s = await setup();
    s.engine.batchDelayMs = 50;
    await call(s.host.handlers, 'gallery:openFolder');
    await call(s.host.handlers, 'export:chooseFolder');
    const files = Array.from({ length: 5 }, () => path.join(s.dirs.photos, 'a.jpg'));
    const started = await call(s.host.handlers, 'export:start', {
      files,
      folders: [],
      outDir: s.dirs.out,
      recursive: false,
      skipExisting: false,
      options: { style: 'ember', size: 1280, brush: 'native' as const, strength: 0.5, preserveColors: true, format: 'webp', quality: 80, keepMetadata: false, stripGps: true },
    });
    const jobId = started.ok ? started.value.jobId : '';
    expect(await call(s.host.handlers, 'export:cancel', jobId)).toEqual({ ok: true, value: true });
    await expect.poll(() => s.events.some((e) => e.event === 'export:done')).toBe(true);
    const done = s.events.find((e) => e.event === 'export:done')!.payload as EventContract['export:done'];
    expect(done.report.cancelled).toBe(true);
    expect(await call(s.host.handlers, 'export:cancel', jobId)).toEqual({ ok: true, value: false });
    // A brush moved off the default is the user's choice.
    expect(s.engine.batches[0]?.brushChosen).toBe(true);
  });

  it('styles, model errors, thumbnails, doctor and engine status', async () => {
    const s = await setup();
    const list = await call(s.host.handlers, 'styles:list');
    expect(list.ok && list.value.styles.map((x) => [x.id, x.multi])).toEqual([
      ['ember', true],
      ['tide', true],
      ['solo', false],
    ]);
    expect(list.ok && list.value.errors).toEqual(['broken: checksum mismatch']);
    const sample = { photo: null, brush: 1024, exportSize: 'original' as const };
    const thumb = await call(s.host.handlers, 'styles:thumbnail', 'tide', sample);
    expect(thumb).toEqual({ ok: true, value: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const thumbId = thumb.ok ? thumb.value : '';
    expect(fs.existsSync(path.join(s.dirs.base, 'cache', 'styles', `${thumbId}.jpg`))).toBe(true);
    // A thumbnail is a crop of the photo at the brush pass's scale, painted alone.
    expect(s.engine.previews.at(-1)).toMatchObject({ style: 'tide', brush: 1024, exportSize: 'original', crop: { width: 256, height: 192 } });
    // Same request: the cached file; another brush or a photo: another thumbnail.
    expect(await call(s.host.handlers, 'styles:thumbnail', 'tide', sample)).toEqual({ ok: true, value: thumbId });
    const native = await call(s.host.handlers, 'styles:thumbnail', 'tide', { ...sample, brush: 'native' });
    expect(native.ok && native.value).not.toBe(thumbId);
    await call(s.host.handlers, 'gallery:openFolder');
    const onPhoto = await call(s.host.handlers, 'styles:thumbnail', 'tide', { ...sample, photo: path.join(s.dirs.photos, 'a.jpg') });
    expect(onPhoto.ok).toBe(true);
    expect(s.engine.previews.at(-1)?.input).toBe(path.join(s.dirs.photos, 'a.jpg'));
    expect(await call(s.host.handlers, 'styles:thumbnail', 'tide', { ...sample, photo: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    expect(await call(s.host.handlers, 'styles:thumbnail', 'nope', sample)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    const doctor = await call(s.host.handlers, 'app:doctor');
    expect(doctor.ok && doctor.value.find((c) => c.name === 'Provider webgpu')).toEqual({ name: 'Provider webgpu', ok: false, neutral: true, detail: 'not available: no adapter' });
    const status = await call(s.host.handlers, 'engine:status');
    expect(status).toMatchObject({ ok: true, value: { state: 'ready', device: { provider: 'cpu', fallbackReason: 'No supported adapters' } } });
    s.host.engineCrashed('worker died', true);
    expect(s.events.find((e) => e.event === 'engine:crash')?.payload).toMatchObject({ message: 'worker died', retried: true });
  });

  it('device choice applies without restart: new engine created, old one closed, status emitted', async () => {
    const s = await setup();
    // Same device: nothing to do.
    await call(s.host.handlers, 'settings:set', { device: 'auto' });
    await s.host.settled();
    expect(s.created).toHaveLength(0);
    // A preview in flight on the old engine finishes there before the old engine closes.
    await call(s.host.handlers, 'gallery:openFolder');
    s.engine.previewDelayMs = 80;
    const inFlight = call(s.host.handlers, 'preview:render', path.join(s.dirs.photos, 'a.jpg'), req, 'p1');
    await new Promise((r) => setTimeout(r, 10));
    const set = await call(s.host.handlers, 'settings:set', { device: 'cpu' });
    expect(set).toMatchObject({ ok: true, value: { device: 'cpu' } });
    await s.host.settled();
    expect(await inFlight).toMatchObject({ ok: true });
    expect(s.created.map((e) => e.device)).toEqual(['cpu']);
    expect(s.engine.closed).toBe(true);
    expect(s.host.engine()).toBe(s.created[0]);
    expect(s.created[0]!.warmups).toBe(1);
    const states = s.events.filter((e) => e.event === 'engine:status').map((e) => e.payload as EventContract['engine:status']);
    expect(states.map((x) => x.state)).toEqual(expect.arrayContaining(['starting', 'ready']));
    expect(states.find((x) => x.state === 'starting')?.message).toBe('Switching to CPU…');
    expect(states.at(-1)).toMatchObject({ state: 'ready', device: { requested: 'cpu', provider: 'cpu' }, message: null });
    // New work goes to the new engine.
    const r = await call(s.host.handlers, 'preview:render', path.join(s.dirs.photos, 'a.jpg'), req, 'p2');
    expect(r.ok).toBe(true);
    expect(s.created[0]!.previews).toHaveLength(1);
    // Two quick changes: both apply in order, the last one wins.
    await call(s.host.handlers, 'settings:set', { device: 'gpu' });
    await call(s.host.handlers, 'settings:set', { device: 'auto' });
    await s.host.settled();
    expect(s.created.map((e) => e.device)).toEqual(['cpu', 'gpu', 'auto']);
    expect(s.created.slice(0, 2).every((e) => e.closed)).toBe(true);
    expect(s.host.engine()).toBe(s.created[2]);
    expect(await call(s.host.handlers, 'engine:status')).toMatchObject({ ok: true, value: { state: 'ready', device: { requested: 'auto' } } });
    await s.host.close();
    expect(s.created[2]!.closed).toBe(true);
  });

  it('device choice during an export applies when the export finishes', async () => {
    const s = await setup();
    s.engine.batchDelayMs = 40;
    await call(s.host.handlers, 'gallery:openFolder');
    await call(s.host.handlers, 'export:chooseFolder');
    const started = await call(s.host.handlers, 'export:start', {
      files: [path.join(s.dirs.photos, 'a.jpg'), path.join(s.dirs.photos, 'a.jpg')],
      folders: [],
      outDir: s.dirs.out,
      recursive: false,
      skipExisting: false,
      options: { style: 'ember', size: 1280, brush: 1024, strength: 1, preserveColors: false, format: 'jpg', quality: 90, keepMetadata: false, stripGps: true },
    });
    expect(started.ok).toBe(true);
    await call(s.host.handlers, 'settings:set', { device: 'gpu' });
    expect(s.created).toHaveLength(0);
    expect(s.engine.closed).toBe(false);
    await expect.poll(() => s.events.some((e) => e.event === 'export:done')).toBe(true);
    const done = s.events.find((e) => e.event === 'export:done')!.payload as EventContract['export:done'];
    expect(done.report.cancelled).toBe(false);
    await expect.poll(() => s.created.length).toBe(1);
    await s.host.settled();
    expect(s.created[0]!.device).toBe('gpu');
    expect(s.engine.closed).toBe(true);
  });

  it('a failing engine creation keeps the old engine and reports the error', async () => {
    const s = await setup();
    const events: { event: EventName; payload: unknown }[] = [];
    const host = createHandlers({
      engine: s.engine,
      createEngine: async () => {
        throw new Error('no such provider');
      },
      drops: new DroppedPaths(),
      dialogs: { openFolder: async () => null, openFiles: async () => null, chooseOutputFolder: async () => null },
      roots: new AllowedRoots(),
      settings: new SettingsStore(path.join(s.dirs.base, 'user2', 'settings.json')),
      results: new ResultStore(),
      styleThumbs: new StyleThumbs(path.join(s.dirs.base, 'cache2'), path.join(s.dirs.photos, 'a.jpg')),
      emit: <E extends EventName>(event: E, payload: EventContract[E]) => events.push({ event, payload }),
      openPath: async () => '',
      appInfo: { version: '0.0.0', platform: 'linux', arch: 'x64', modelsDir: null, tileSize: 1449 },
    });
    await call(host.handlers, 'settings:set', { device: 'gpu' });
    await host.settled();
    expect(host.engine()).toBe(s.engine);
    expect(s.engine.closed).toBe(false);
    expect(events.at(-1)).toMatchObject({ event: 'engine:status', payload: { state: 'error', message: 'Could not switch to GPU: no such provider' } });
  });

  it('normalizeDoctor tolerates odd input', () => {
    expect(normalizeDoctor(null)).toEqual([{ name: 'engine', ok: false, detail: 'null' }]);
  });

  it('normalizeDoctor: a missing GPU is information on automatic, a problem when the GPU was chosen', () => {
    const report = (requested: string) => ({
      probes: [
        { name: 'cpu', ok: true },
        { name: 'webgpu', ok: false, error: 'Failed to get a WebGPU adapter' },
      ],
      device: { requested, provider: 'cpu', fallbackReason: 'webgpu: Failed to get a WebGPU adapter' },
    });
    const auto = normalizeDoctor(report('auto')).filter((c) => c.name !== 'Platform');
    expect(auto).toEqual([
      { name: 'Provider cpu', ok: true, detail: 'works' },
      { name: 'Provider webgpu', ok: false, neutral: true, detail: 'not available: Failed to get a WebGPU adapter' },
      { name: 'Device', ok: false, neutral: true, detail: 'CPU (no usable GPU: webgpu: Failed to get a WebGPU adapter)' },
    ]);
    const gpu = normalizeDoctor(report('gpu')).filter((c) => c.name !== 'Platform');
    expect(gpu.filter((c) => !c.ok).map((c) => c.neutral)).toEqual([undefined, undefined]);
  });
});
