// The app's start-up wiring, shared by the Electron main process and the e2e test host: settings,
// the engine for the chosen device (replaced when the device setting changes), the handlers and
// the stores the media protocol serves from. Plain Node: what differs between the two (dialogs,
// how events reach the page, how the worker is spawned) comes in as options.

import path from 'node:path';
import type { DeviceChoice } from '../common/types.js';
import { DEFAULT_TILE_PIXELS, Engine, type Spawner } from '../engine/index.js';
import { packageRoot } from '../engine/paths.js';
import { addStyle, checkLearnRuntime } from '../learning/style-learner.js';
import { DroppedPaths } from '../services/drops.js';
import { createHandlers, type HandlerDeps, type HandlerHost } from '../services/handlers.js';
import { ResultStore, type MediaContext } from '../services/media.js';
import { AllowedRoots } from '../services/roots.js';
import { SettingsStore } from '../services/settings.js';
import { StyleThumbs } from '../services/style-thumbs.js';
import { ThumbnailCache } from '../services/thumbnails.js';

export interface StartAppOptions {
  /** Settings and caches live here (Electron: app.getPath('userData')). */
  userData: string;
  modelsDir: string;
  /** The OS Pictures folder (Electron: app.getPath('pictures')); the default output folder is its Pastiche folder. */
  picturesDir?: string;
  /** The user's style files; default PASTICHE_STYLES_DIR, else <userData>/styles (shared with the CLI). */
  stylesDir?: string;
  /** The folder whose trainer-data/ holds the learner's VGG19 weights and photos (packaged app: resources); default the package root. */
  trainerRoot?: string;
  /** The photo style thumbnails are rendered from. */
  samplePhoto: string;
  /** How the engine starts its worker (Electron: a utility process; Node: child_process.fork). */
  spawner: Spawner;
  /** "Add painting as a style…" stops after this many steps (tests); the minutes chosen decide otherwise. */
  learnSteps?: number;
  /** onnxruntime intra-op threads; default all cores. */
  threads?: number;
  version: string;
  dialogs: HandlerDeps['dialogs'];
  emit: HandlerDeps['emit'];
  openPath: HandlerDeps['openPath'];
}

export interface RunningApp {
  host: HandlerHost;
  /** What the preload reports dropped, per window (main records; the e2e host plays the preload). */
  drops: DroppedPaths;
  /** What the media protocol (pastiche:// in Electron, /media/ in the e2e host) serves from. */
  media: MediaContext;
}

export async function startApp(opts: StartAppOptions): Promise<RunningApp> {
  const cacheDir = path.join(opts.userData, 'cache');
  const settings = new SettingsStore(path.join(opts.userData, 'settings.json'), opts.picturesDir === undefined ? {} : { picturesDir: opts.picturesDir });
  const userStylesDir = opts.stylesDir ?? (process.env['PASTICHE_STYLES_DIR'] ? path.resolve(process.env['PASTICHE_STYLES_DIR']) : path.join(opts.userData, 'styles'));
  const trainerRoot = opts.trainerRoot ?? packageRoot();
  let host: HandlerHost | null = null;
  // The engine made last: its pack's learning graphs are what the learner check looks at.
  let latest: Engine | null = null;
  // One engine at a time; the handlers replace it (without a restart) when the device setting changes.
  const createEngine = async (device: DeviceChoice): Promise<Engine> => {
    const e = await Engine.create({ modelsDir: opts.modelsDir, userStylesDir, device, spawner: opts.spawner, learner: addStyle, ...(opts.threads === undefined ? {} : { threads: opts.threads }) });
    latest = e;
    // Notices of an engine that was replaced meanwhile are not the user's concern.
    e.on('crash', (info) => {
      if (host?.engine() === e) host.engineCrashed(info.message, info.retried);
    });
    e.on('restart', () => {
      if (host?.engine() === e) host.engineRestarted();
    });
    return e;
  };
  const engine = await createEngine(settings.get().device);
  const drops = new DroppedPaths();
  const roots = new AllowedRoots();
  const results = new ResultStore();
  const thumbs = new ThumbnailCache(path.join(cacheDir, 'thumbs'));
  const styleThumbs = new StyleThumbs(path.join(cacheDir, 'styles'), opts.samplePhoto);
  host = createHandlers({
    engine,
    createEngine,
    drops,
    dialogs: opts.dialogs,
    roots,
    settings,
    results,
    styleThumbs,
    styleTrainer: {
      root: trainerRoot,
      cacheDir: path.join(cacheDir, 'learn'),
      ...(opts.learnSteps ? { steps: opts.learnSteps } : {}),
      async check() {
        const pack = latest?.learnablePack();
        const r = await checkLearnRuntime(opts.modelsDir, latest?.models().find((m) => m.id === pack?.id)?.learn ?? null, trainerRoot);
        return { ok: r.ok, message: r.ok ? null : r.message };
      },
    },
    watchUserStyles: { dir: userStylesDir },
    emit: opts.emit,
    openPath: opts.openPath,
    appInfo: { version: opts.version, platform: process.platform, arch: process.arch, modelsDir: opts.modelsDir, tileSize: Math.round(Math.sqrt(DEFAULT_TILE_PIXELS)) },
  });
  return { host, drops, media: { roots, thumbs, results, styleThumb: (id) => styleThumbs.existing(id) } };
}
