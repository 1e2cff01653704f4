// IPC handler implementations as plain functions of (engine, deps), shared by
// the Electron main process and the e2e test host. Every argument is validated
// here (the renderer is untrusted), and every outcome is a Result: nothing throws
// across IPC.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppInfo, EngineStatus, EventContract, EventName, GalleryFolder, StylesList, StyleView } from '../common/ipc-contract.js';
import { brushChosen, PREVIEW_ENCODING } from '../common/params.js';
import { styleCatalog, type StyleCatalog } from '../common/styles.js';
import type { DeviceChoice } from '../common/types.js';
import { errorLine, normalizeDoctor } from './doctor.js';
import { takeDropped, type DroppedPaths } from './drops.js';
import { EngineHolder } from './engine-holder.js';
import type { EnginePort } from './engine-port.js';
import { listFiles, scanFolder, isPhotoName } from './gallery.js';
import { handler, type Handler, type Handlers } from './ipc-handler.js';
import type { ResultStore } from './media.js';
import { createOutputFolderHandlers } from './output-folder.js';
import { regionHandler } from './region-handler.js';
import { allowedPath, validateExportRequest, validatePreviewRequest, validateThumbRequest } from './requests.js';
import { describe, type AllowedRoots } from './roots.js';
import type { SettingsStore } from './settings.js';
import { runExport } from './export-runs.js';
import { createRecipeHandlers } from './recipe-handlers.js';
import { createStyleHandlers, type StyleTrainerDeps } from './style-handlers.js';
import type { StyleThumbs } from './style-thumbs.js';
import { watchStylesFolder, type StylesWatchOptions } from './styles-watch.js';
import { absPath, ArgError, array, fail, id } from './validate.js';

export interface Dialogs {
  openFolder(defaultPath?: string): Promise<string | null>;
  openFiles(defaultPath?: string): Promise<string[] | null>;
  chooseOutputFolder(defaultPath?: string): Promise<string | null>;
  /** A painting to learn a style from (one image file). */
  choosePainting?(defaultPath?: string): Promise<string | null>;
  /** A painted file whose recipe to use (one image file). */
  chooseRecipe?(defaultPath?: string): Promise<string | null>;
}

export interface HandlerDeps {
  engine: EnginePort;
  /**
   * Makes an engine for a device choice. When given, changing the `device` setting replaces the
   * engine without a restart (the new one is created first; the old one is closed once its
   * in-flight previews settle; during an export the switch waits for the export to finish).
   */
  createEngine?(device: DeviceChoice): Promise<EnginePort>;
  /** Paths the preload saw dropped, per window; `gallery:addPaths` accepts only those. */
  drops: DroppedPaths;
  /** How long `gallery:addPaths` waits for the preload's drop report (separate IPC pipe). */
  dropGraceMs?: number;
  dialogs: Dialogs;
  roots: AllowedRoots;
  settings: SettingsStore;
  results: ResultStore;
  styleThumbs: StyleThumbs;
  /** The style trainer ("Add painting as a style…"); without it the app cannot learn styles. */
  styleTrainer?: StyleTrainerDeps;
  /**
   * The user's styles folder, watched: what changes there from outside the app (the CLI) is
   * re-read and sent to the page as styles:changed.
   */
  watchUserStyles?: { dir: string } & StylesWatchOptions;
  emit<E extends EventName>(event: E, payload: EventContract[E]): void;
  /** Opens a folder in the OS file manager; resolves to '' or an error message (like Electron's shell.openPath). */
  openPath(p: string): Promise<string>;
  appInfo: Omit<AppInfo, 'cpus' | 'totalMemBytes'>;
}

export interface HandlerHost {
  /** Handlers for the default sender (0): the e2e host's single page, tests. */
  handlers: Handlers;
  /** Handlers bound to one sender (Electron: webContents id), for per-window drop bookkeeping. */
  forSender(sender: number): Handlers;
  /** Forget a sender's state (window closed). */
  forgetSender(sender: number): void;
  /** The engine in use now (it changes when the device setting changes). */
  engine(): EnginePort;
  /** Resolves once any device switch in progress has finished (tests). */
  settled(): Promise<void>;
  /** Re-reads the user's styles and sends styles:changed when the list differs from the last one sent. */
  refreshStyles(): Promise<void>;
  /** Abort everything, then close the current engine. */
  close(): Promise<void>;
  /** Forward engine crash/restart notices to the renderer. */
  engineCrashed(message: string, retried: boolean): void;
  engineRestarted(): void;
  /** Abort in-flight previews and exports (window closing / app quitting). */
  abortAll(): void;
}

/** The worker's decode errors say what is wrong, not with which file: the preview names it. */
function namingPhoto(photo: string): (e: unknown) => never {
  return (e) => {
    const code = (e as { code?: unknown } | null)?.code;
    if (e instanceof Error && (code === 'DECODE' || code === 'UNSUPPORTED_FORMAT')) e.message = `Cannot read '${path.basename(photo)}': ${e.message}`;
    throw e;
  };
}

export function createHandlers(deps: HandlerDeps): HandlerHost {
  const { roots, settings, results, emit, drops } = deps;
  const previews = new Map<string, AbortController>();
  const exports = new Map<string, AbortController>();
  let status: EngineStatus = { state: 'ready', device: null, message: null };

  const setStatus = (patch: Partial<EngineStatus>): void => {
    status = { ...status, ...patch };
    emit('engine:status', status);
  };

  const refreshDevice = async (): Promise<void> => {
    try {
      const device = await holder.current.deviceReport();
      if (device && JSON.stringify(device) !== JSON.stringify(status.device)) setStatus({ device });
    } catch {
      // device report is informative only
    }
  };

  const holder: EngineHolder = new EngineHolder(deps.engine, {
    ...(deps.createEngine ? { createEngine: deps.createEngine } : {}),
    status: setStatus,
    exporting: () => exports.size > 0,
    refreshDevice,
  });

  const knownStyles = (): StyleCatalog => styleCatalog(holder.current.styles());

  const stylesList = (): StylesList => {
    const known = knownStyles();
    const e = holder.current;
    const styles: StyleView[] = e.styles().map((s) => ({ ...s, multi: known.get(s.id)?.multi ?? false }));
    return { styles, errors: [...e.modelErrors().map(errorLine), ...(e.styleProblems?.() ?? []).map((p) => p.message)] };
  };

  // One re-read at a time; the page hears of a list only when it differs from the last one sent.
  let lastSent = '';
  let refreshing: Promise<void> = Promise.resolve();
  const refreshStyles = (): Promise<void> =>
    (refreshing = refreshing
      .then(async () => {
        const e = await holder.ready();
        await e.reloadModels?.();
        const list = stylesList();
        const text = JSON.stringify(list);
        if (text === lastSent) return;
        lastSent = text;
        emit('styles:changed', list);
      })
      .catch(() => undefined));
  const stylesWatch = deps.watchUserStyles ? watchStylesFolder(deps.watchUserStyles.dir, () => void refreshStyles(), deps.watchUserStyles) : null;

  const userStyles = createStyleHandlers({
    engine: () => holder.current,
    ready: () => holder.ready(),
    stylesList,
    ...(deps.dialogs.choosePainting ? { choosePainting: deps.dialogs.choosePainting } : {}),
    ...(deps.styleTrainer ? { trainer: deps.styleTrainer } : {}),
    roots,
    results,
    emit,
  });

  const openFolder = async (dir: string): Promise<GalleryFolder> => {
    const real = roots.add(dir, 'dir');
    const s = settings.get();
    const folder = await scanFolder(real, s.recursive);
    settings.set({ lastFolder: real });
    return folder;
  };

  const addPaths = (sender: number): Handler<'gallery:addPaths'> =>
    handler<'gallery:addPaths'>(1, async (raw) => {
      // Dropped paths: the user's drag is the consent, as with the dialog. The page only names
      // them; the preload reported what was really dropped, and only those are accepted.
      const paths = array(raw, 10_000, 'paths').map((p, i) => absPath(p, `paths[${i}]`));
      if (paths.length === 0) fail('Expected at least one dropped path');
      const { missing } = await takeDropped(drops, sender, paths, deps.dropGraceMs);
      if (missing.length > 0) {
        throw new ArgError(`Refusing ${describe(missing[0])}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}: not dropped on this window; drop it again or use Open`, 'not-allowed');
      }
      const stats = paths.map((p) => {
        try {
          return { p, st: fs.statSync(p) };
        } catch {
          throw new ArgError(`Dropped path does not exist: '${p}'`, 'not-found');
        }
      });
      const dirs = stats.filter((x) => x.st.isDirectory());
      if (dirs.length === 1 && stats.length === 1) return openFolder(dirs[0]!.p);
      const files: string[] = [];
      for (const { p, st } of stats) {
        if (st.isDirectory()) {
          const real = roots.add(p, 'dir');
          files.push(...(await scanFolder(real, settings.get().recursive)).photos.map((e) => e.path));
        } else if (st.isFile() && isPhotoName(path.basename(p))) {
          files.push(roots.add(p, 'file'));
        }
      }
      return listFiles(files);
    });

  const handlers: Handlers = {
    'gallery:openFolder': handler<'gallery:openFolder'>(0, async () => {
      const dir = await deps.dialogs.openFolder(settings.get().lastFolder ?? undefined);
      return dir ? openFolder(dir) : null;
    }),
    'gallery:openFiles': handler<'gallery:openFiles'>(0, async () => {
      const files = await deps.dialogs.openFiles(settings.get().lastFolder ?? undefined);
      if (!files || files.length === 0) return null;
      return listFiles(files.filter((f) => isPhotoName(path.basename(f))).map((f) => roots.add(f, 'file')));
    }),
    'gallery:addPaths': addPaths(0),
    'gallery:list': handler<'gallery:list'>(1, async (raw) => {
      const root = allowedPath(roots, raw, 'root');
      if (!roots.containsDir(root)) throw new ArgError(`'${root}' is not a folder you opened`, 'not-allowed');
      return scanFolder(root, settings.get().recursive);
    }),
    'styles:list': handler<'styles:list'>(0, stylesList),
    ...createRecipeHandlers({
      ready: () => holder.ready(),
      ...(deps.dialogs.chooseRecipe ? { chooseRecipe: deps.dialogs.chooseRecipe } : {}),
      defaultPath: () => settings.get().outputDir ?? undefined,
    }),
    'styles:choosePainting': userStyles['styles:choosePainting'],
    'styles:trainer': userStyles['styles:trainer'],
    'styles:add': userStyles['styles:add'],
    'styles:cancelAdd': userStyles['styles:cancelAdd'],
    'styles:rename': userStyles['styles:rename'],
    'styles:remove': userStyles['styles:remove'],
    'styles:thumbnail': handler<'styles:thumbnail'>(2, async (raw, rawReq) => {
      const styleId = id(raw, 'styleId');
      const req = validateThumbRequest(rawReq, roots);
      const info = knownStyles().get(styleId);
      if (!info) throw new ArgError(`Unknown style '${styleId}' for styleId`, 'not-found');
      const sha = holder.current.models?.().find((m) => m.id === info.model)?.sha256 ?? 'v0';
      // Styles of a vector-input pack share its graph: their vectors tell them apart.
      const vec = holder.current.styles().find((s) => s.id === styleId)?.vectorSha;
      return deps.styleThumbs.render(holder, styleId, vec ? `${sha.slice(0, 12)}-${vec}` : sha.slice(0, 12), req);
    }),
    'preview:render': handler<'preview:render'>(3, async (rawPhoto, rawReq, rawTicket) => {
      const photo = allowedPath(roots, rawPhoto, 'photo');
      const req = validatePreviewRequest(rawReq, knownStyles());
      const ticket = id(rawTicket, 'ticket');
      previews.get(ticket)?.abort();
      const ac = new AbortController();
      previews.set(ticket, ac);
      try {
        // The same flag as the export's: a preview is the export downscaled.
        const out = await holder.preview(photo, { ...PREVIEW_ENCODING, ...req, brushChosen: brushChosen(req.brush, 'settings') }, ac.signal).catch(namingPhoto(photo));
        if (ac.signal.aborted) throw Object.assign(new Error('Cancelled'), { name: 'AbortError' });
        const rid = crypto.randomUUID();
        results.put(rid, out.data, out.mime);
        void refreshDevice();
        return {
          id: rid,
          width: out.width,
          height: out.height,
          sourceWidth: out.sourceWidth,
          sourceHeight: out.sourceHeight,
          ms: out.ms,
          provider: out.provider,
          exportPlan: out.exportPlan,
          timings: out.timings,
          limits: out.limits,
        };
      } finally {
        if (previews.get(ticket) === ac) previews.delete(ticket);
      }
    }),
    'preview:cancel': handler<'preview:cancel'>(1, (raw) => {
      const ac = previews.get(id(raw, 'ticket'));
      ac?.abort();
      return ac !== undefined;
    }),
    'preview:region': regionHandler({ holder, roots, results, knownStyles, tickets: previews, naming: namingPhoto }),
    'export:chooseFolder': handler<'export:chooseFolder'>(0, async () => {
      const dir = await deps.dialogs.chooseOutputFolder(settings.get().outputDir ?? undefined);
      if (!dir) return null;
      fs.mkdirSync(dir, { recursive: true });
      const real = roots.add(dir, 'dir');
      settings.set({ outputDir: real });
      return real;
    }),
    ...createOutputFolderHandlers({ roots, defaultDir: settings.defaultOutputDir }),
    'export:start': handler<'export:start'>(1, (raw) => {
      const req = validateExportRequest(raw, knownStyles(), roots);
      if (exports.size > 0) throw new ArgError('An export is already running', 'not-allowed');
      const jobId = crypto.randomUUID();
      const ac = new AbortController();
      exports.set(jobId, ac);
      setStatus({ state: 'busy' });
      const inputs = [...req.files, ...req.folders];
      const opts = {
        ...req.options,
        recursive: req.recursive,
        skipExisting: req.skipExisting,
        brushChosen: brushChosen(req.options.brush, 'settings'),
        ...(req.nameTemplate ? { nameTemplate: req.nameTemplate } : {}),
      };
      // A device switch in progress finishes first (its new engine runs the batch).
      void holder
        .ready()
        .then((e) => runExport(e, inputs, req.outDir, opts, req, (p) => emit('export:progress', { jobId, ...p }), ac.signal))
        .then(
          (report) => emit('export:done', { jobId, outDir: req.outDir, report }),
          (e: unknown) => {
            const cancelled = ac.signal.aborted;
            const message = e instanceof Error ? e.message : String(e);
            emit('export:done', {
              jobId,
              outDir: req.outDir,
              report: {
                cancelled,
                device: null,
                files: cancelled ? [] : inputs.map((input) => ({ input, output: null, status: 'failed' as const, error: message, ms: 0, device: null })),
              },
            });
          },
        )
        .finally(() => {
          exports.delete(jobId);
          setStatus({ state: 'ready' });
          void refreshDevice();
          holder.exportFinished();
        });
      return { jobId };
    }),
    'export:cancel': handler<'export:cancel'>(1, (raw) => {
      const ac = exports.get(id(raw, 'jobId'));
      ac?.abort();
      return ac !== undefined;
    }),
    'settings:get': handler<'settings:get'>(0, () => settings.get()),
    'settings:set': handler<'settings:set'>(1, (raw) => {
      const before = settings.get().device;
      const next = settings.set(raw);
      // The device applies without a restart: a new engine replaces the old one (in the background).
      if (next.device !== before) holder.switchTo(next.device);
      return next;
    }),
    'app:info': handler<'app:info'>(0, () => ({ ...deps.appInfo, cpus: os.cpus().length, totalMemBytes: os.totalmem() })),
    'app:doctor': handler<'app:doctor'>(0, async () => normalizeDoctor(await (await holder.ready()).doctor())),
    'engine:status': handler<'engine:status'>(0, async () => {
      await refreshDevice();
      return status;
    }),
    'shell:openPath': handler<'shell:openPath'>(1, async (raw) => {
      const p = absPath(raw, 'path');
      if (!roots.containsDir(p)) throw new ArgError(`Refusing to open '${p}': not a folder you opened or chose`, 'not-allowed');
      const err = await deps.openPath(p);
      if (err) throw new Error(err);
      return null;
    }),
  };

  const perSender = new Map<number, Handlers>();
  return {
    handlers,
    forSender(sender) {
      if (sender === 0) return handlers;
      let h = perSender.get(sender);
      if (!h) {
        h = { ...handlers, 'gallery:addPaths': addPaths(sender) };
        perSender.set(sender, h);
      }
      return h;
    },
    forgetSender(sender) {
      perSender.delete(sender);
      drops.forget(sender);
    },
    engine: () => holder.current,
    settled: () => holder.settled(),
    refreshStyles,
    async close() {
      stylesWatch?.close();
      userStyles.abortAll();
      for (const ac of previews.values()) ac.abort();
      for (const ac of exports.values()) ac.abort();
      await holder.close();
    },
    engineCrashed(message, retried) {
      emit('engine:crash', { message, retried, at: Date.now() });
      setStatus({ state: 'restarting', message });
    },
    engineRestarted() {
      setStatus({ state: exports.size > 0 ? 'busy' : 'ready', message: null });
    },
    abortAll() {
      userStyles.abortAll();
      for (const ac of previews.values()) ac.abort();
      for (const ac of exports.values()) ac.abort();
    },
  };
}
