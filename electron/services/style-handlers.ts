// IPC handlers for the user's own styles: pick a painting, learn a style from it on the engine (its
// supervised worker runs the learner, one at a time, with progress, previews and cancel),
// retitle and delete. Built-in styles are never changed. Every argument is validated here.

import crypto from 'node:crypto';
import fs from 'node:fs';
import type { AddStyleRequest, EventContract, EventName, StylesList, TrainerStatus } from '../common/ipc-contract.js';
import { ParamError } from '../common/params.js';
import { checkMinutes, checkStyleId, checkTitle, MINUTES } from '../common/style-meta.js';
import type { EnginePort } from './engine-port.js';
import { handler, type Handlers } from './ipc-handler.js';
import type { ResultStore } from './media.js';
import { allowedPath } from './requests.js';
import type { AllowedRoots } from './roots.js';
import { absPath, ArgError, id, knownKeys, plainObject } from './validate.js';

/** The learner's runtime: what it needs and where (electron/app/start-app.ts wires the check). */
export interface StyleTrainerDeps {
  check(): Promise<{ ok: boolean; message: string | null }>;
  /** The folder whose trainer-data/ holds the VGG19 weights and training photos. */
  root?: string;
  /** Where the learning graphs are materialized. */
  cacheDir?: string;
  /** Seconds between previews of the current result. */
  previewEveryS?: number;
  /** Stop after this many steps (tests); the minutes decide otherwise. */
  steps?: number;
}

export interface StyleHandlerDeps {
  engine(): EnginePort;
  /** Resolves to the engine once a device switch in progress is done. */
  ready(): Promise<EnginePort>;
  stylesList(): StylesList;
  choosePainting?(defaultPath?: string): Promise<string | null>;
  trainer?: StyleTrainerDeps;
  roots: AllowedRoots;
  results: ResultStore;
  emit<E extends EventName>(event: E, payload: EventContract[E]): void;
}

const PAINTING_EXT = /\.(jpe?g|png|webp|tiff?|avif)$/i;

/** A ParamError from a shared check becomes a bad-argument error with the same words. */
function arg<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ParamError) throw new ArgError(e.message);
    throw e;
  }
}

export function createStyleHandlers(
  deps: StyleHandlerDeps,
): Pick<Handlers, 'styles:choosePainting' | 'styles:trainer' | 'styles:add' | 'styles:cancelAdd' | 'styles:rename' | 'styles:remove'> & { abortAll(): void } {
  const chosen = new Set<string>();
  let job: { jobId: string; ac: AbortController } | null = null;

  const validateAdd = (raw: unknown): AddStyleRequest => {
    const o = plainObject(raw, 'request');
    knownKeys(o, ['painting', 'id', 'title', 'artist', 'minutes', 'previewPhoto'], 'request');
    const painting = absPath(o['painting'], 'painting');
    if (!chosen.has(painting)) throw new ArgError(`Refusing '${painting}': not a painting chosen in the dialog`, 'not-allowed');
    const styleId = arg(() => checkStyleId(o['id'], 'id'));
    const title = arg(() => checkTitle(o['title'], 'title'));
    const artist = o['artist'] === '' ? '' : arg(() => checkTitle(o['artist'], 'artist'));
    const minutes = arg(() => checkMinutes(o['minutes'], 'minutes'));
    const previewPhoto = o['previewPhoto'] === null ? null : allowedPath(deps.roots, o['previewPhoto'], 'previewPhoto');
    return { painting, id: styleId, title, artist, minutes, previewPhoto };
  };

  const userOnly = async (raw: unknown, action: (e: EnginePort, styleId: string) => Promise<void>): Promise<StylesList> => {
    const styleId = id(raw, 'styleId');
    const e = await deps.ready();
    const s = e.styles().find((x) => x.id === styleId);
    if (!s) throw new ArgError(`Unknown style '${styleId}' for styleId`, 'not-found');
    if (s.source !== 'user') throw new ArgError(`Style '${styleId}' is built in: only your own styles can be renamed or deleted`, 'not-allowed');
    await action(e, styleId);
    return deps.stylesList();
  };

  return {
    'styles:choosePainting': handler<'styles:choosePainting'>(0, async () => {
      const p = deps.choosePainting ? await deps.choosePainting() : null;
      if (!p) return null;
      if (!PAINTING_EXT.test(p) || !fs.statSync(p, { throwIfNoEntry: false })?.isFile()) throw new ArgError(`Expected an image file (JPEG, PNG, WebP, TIFF, AVIF) for painting but received '${p}'`);
      chosen.add(p);
      return p;
    }),
    'styles:trainer': handler<'styles:trainer'>(0, async (): Promise<TrainerStatus> => {
      const minutes = { ...MINUTES };
      if (!deps.trainer || !deps.engine().addStyle) return { ready: false, message: 'This build cannot learn styles (no trainer)', minutes };
      const r = await deps.trainer.check();
      return { ready: r.ok, message: r.ok ? null : r.message, minutes };
    }),
    'styles:add': handler<'styles:add'>(1, async (raw) => {
      const req = validateAdd(raw);
      if (job) throw new ArgError('A style is already being learned', 'not-allowed');
      const e = await deps.ready();
      if (!e.addStyle || !deps.trainer) throw new ArgError('This build cannot learn styles (no trainer)', 'not-allowed');
      arg(() => e.checkNewStyleId?.(req.id, 'id'));
      const rt = await deps.trainer.check();
      if (!rt.ok) throw new ArgError(rt.message ?? 'The style trainer cannot run', 'not-allowed');
      const jobId = crypto.randomUUID();
      const ac = new AbortController();
      job = { jobId, ac };
      const t = deps.trainer;
      void e
        .addStyle({
          painting: req.painting,
          id: req.id,
          title: req.title,
          minutes: req.minutes,
          signal: ac.signal,
          ...(req.artist ? { artist: req.artist } : {}),
          ...(t.root ? { dataRoot: t.root } : {}),
          ...(t.cacheDir ? { cacheDir: t.cacheDir } : {}),
          ...(t.steps ? { steps: t.steps } : {}),
          ...(req.previewPhoto ? { previewPhoto: req.previewPhoto, previewEveryS: t.previewEveryS ?? 60 } : {}),
          onProgress: (p) => deps.emit('styles:progress', { jobId, ...p }),
          onPreview: (data, mime) => {
            const rid = crypto.randomUUID();
            deps.results.put(rid, data, mime);
            deps.emit('styles:preview', { jobId, id: rid });
          },
        })
        .then(async () => {
          // A device switch meanwhile made another engine: it reads the new file too.
          if (deps.engine() !== e) await deps.engine().reloadModels?.();
          const style = deps.stylesList().styles.find((s) => s.id === req.id) ?? null;
          deps.emit('styles:done', { jobId, style, cancelled: false, error: null });
        })
        .catch((err: unknown) => {
          const cancelled = ac.signal.aborted;
          deps.emit('styles:done', { jobId, style: null, cancelled, error: cancelled ? null : err instanceof Error ? err.message : String(err) });
        })
        .finally(() => {
          if (job?.jobId === jobId) job = null;
        });
      return { jobId };
    }),
    'styles:cancelAdd': handler<'styles:cancelAdd'>(1, (raw) => {
      const jobId = id(raw, 'jobId');
      if (job?.jobId !== jobId) return false;
      job.ac.abort();
      return true;
    }),
    'styles:rename': handler<'styles:rename'>(2, async (rawId, rawTitle) => {
      const title = arg(() => checkTitle(rawTitle, 'title'));
      return userOnly(rawId, async (e, styleId) => {
        if (!e.renameStyle) throw new ArgError('This engine cannot rename styles', 'not-allowed');
        await e.renameStyle(styleId, title);
      });
    }),
    'styles:remove': handler<'styles:remove'>(1, async (rawId) =>
      userOnly(rawId, async (e, styleId) => {
        if (!e.removeStyle) throw new ArgError('This engine cannot delete styles', 'not-allowed');
        await e.removeStyle(styleId);
      }),
    ),
    abortAll() {
      job?.ac.abort();
    },
  };
}
