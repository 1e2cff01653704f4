// IPC handler implementations as plain functions of (engine, deps), shared by
// the Electron main process and the e2e test host. Every argument is validated
// here (the renderer is untrusted), and every outcome is a Result: nothing throws
// across IPC.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type {
  AppInfo,
  ArgsOf,
  Channel,
  DoctorCheck,
  EngineStatus,
  EventContract,
  EventName,
  ExportRequest,
  GalleryFolder,
  IpcError,
  PreviewRequest,
  Result,
  ResultOf,
  StyleView,
} from '../common/ipc-contract.js';
import { isChannel } from '../common/ipc-contract.js';
import type { DeviceChoice, StylizeOptions } from '../common/types.js';
import { takeDropped, type DroppedPaths } from './drops.js';
import type { EnginePort, PreviewOutput } from './engine-port.js';
import { listFiles, scanFolder, isPhotoName } from './gallery.js';
import { sniffMime, type ResultStore } from './media.js';
import { AllowedRoots, describe } from './roots.js';
import type { SettingsStore } from './settings.js';
import {
  absPath,
  ArgError,
  array,
  bool,
  fail,
  FORMATS,
  id,
  int,
  knownKeys,
  num,
  oneOf,
  plainObject,
  sizeChoice,
  styleRef,
} from './validate.js';

export interface Dialogs {
  openFolder(defaultPath?: string): Promise<string | null>;
  openFiles(defaultPath?: string): Promise<string[] | null>;
  chooseOutputFolder(defaultPath?: string): Promise<string | null>;
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
  emit<E extends EventName>(event: E, payload: EventContract[E]): void;
  /** Opens a folder in the OS file manager; resolves to '' or an error message (like Electron's shell.openPath). */
  openPath(p: string): Promise<string>;
  appInfo: Omit<AppInfo, 'cpus' | 'totalMemBytes'>;
}

export type Handler<C extends Channel> = (...args: unknown[]) => Promise<Result<ResultOf<C>>>;
export type Handlers = { [C in Channel]: Handler<C> };

export class EngineError extends Error {
  override name = 'EngineError';
}

// Engine/params errors carry PasticheError codes; map them onto the IPC codes.
const ENGINE_CODES: Record<string, IpcError['code']> = {
  INVALID_PARAM: 'bad-argument',
  NOT_FOUND: 'not-found',
  CANCELLED: 'cancelled',
  DECODE: 'io',
  UNSUPPORTED_FORMAT: 'io',
  TOO_LARGE: 'io',
  OUTPUT: 'io',
  DISK_FULL: 'io',
};

function errorOf(e: unknown): IpcError {
  if (e instanceof ArgError) return { code: e.code, message: e.message };
  const pc = (e as { code?: unknown } | null)?.code;
  if (e instanceof Error && typeof pc === 'string' && pc in ENGINE_CODES) {
    return { code: ENGINE_CODES[pc]!, message: pc === 'CANCELLED' ? 'Cancelled' : e.message };
  }
  if (e instanceof Error && (e.name === 'AbortError' || /abort|cancel/i.test(e.name))) return { code: 'cancelled', message: 'Cancelled' };
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof EngineError) return { code: 'engine', message };
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return { code: 'io', message };
  return { code: 'engine', message };
}

/** Wrap a typed implementation: check arity, turn throws into error Results. */
function handler<C extends Channel>(arity: number, impl: (...args: unknown[]) => Promise<ResultOf<C>> | ResultOf<C>): Handler<C> {
  return async (...args) => {
    if (args.length !== arity) {
      return { ok: false, error: { code: 'bad-argument', message: `Expected ${arity} argument${arity === 1 ? '' : 's'} but received ${args.length}` } };
    }
    try {
      return { ok: true, value: await impl(...args) };
    } catch (e) {
      return { ok: false, error: errorOf(e) };
    }
  };
}

/** Is this IPC sender our own app page? `trusted` are origins like 'pastiche://app'. */
export function isTrustedSender(senderUrl: string | null | undefined, trusted: readonly string[]): boolean {
  if (typeof senderUrl !== 'string' || senderUrl.length === 0) return false;
  let origin: string;
  try {
    const u = new URL(senderUrl);
    // Non-special schemes report origin 'null'; rebuild it from protocol + host.
    origin = u.origin !== 'null' ? u.origin : `${u.protocol}//${u.host}`;
  } catch {
    return false;
  }
  return trusted.includes(origin);
}

/** Route one call: sender check, channel check, then the handler. Never throws. */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  senderUrl: string | null | undefined,
  trusted: readonly string[],
  args: unknown[],
): Promise<Result<unknown>> {
  if (!isTrustedSender(senderUrl, trusted)) {
    return { ok: false, error: { code: 'bad-sender', message: `Refused IPC from untrusted sender ${describe(senderUrl ?? null)}` } };
  }
  if (!isChannel(channel)) return { ok: false, error: { code: 'bad-argument', message: `Unknown channel ${describe(channel)}` } };
  return (handlers[channel] as (...a: unknown[]) => Promise<Result<unknown>>)(...args);
}

/** Style thumbnails rendered once from the bundled sample photo by each style's model, cached on disk. */
export class StyleThumbs {
  readonly dir: string;
  readonly sample: string;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #pending = new Map<string, Promise<string>>();
  /** style id -> cache version (model checksum) it was last requested with. */
  readonly #versions = new Map<string, string>();

  constructor(dir: string, sample: string) {
    this.dir = dir;
    this.sample = sample;
  }

  fileFor(styleId: string, version: string): string {
    return path.join(this.dir, `${styleId}-${version}.jpg`);
  }

  /** The cached thumbnail of a style rendered (or found) in this session, or null. */
  existing(styleId: string): string | null {
    const version = this.#versions.get(styleId);
    if (version === undefined) return null;
    const f = this.fileFor(styleId, version);
    return fs.existsSync(f) ? f : null;
  }

  render(engine: EnginePort, styleId: string, version: string): Promise<string> {
    this.#versions.set(styleId, version);
    const file = this.fileFor(styleId, version);
    if (fs.existsSync(file)) return Promise.resolve(file);
    const pending = this.#pending.get(file);
    if (pending) return pending;
    // One at a time: thumbnails must not starve the preview the user is waiting for.
    const p = this.#chain.then(async () => {
      const out = await engine.preview(this.sample, { ...PREVIEW_ENCODING, style: styleId, size: 256, strength: 1, preserveColors: false });
      const jpeg = await toJpeg(out);
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(`${file}.tmp`, jpeg);
      fs.renameSync(`${file}.tmp`, file);
      return file;
    });
    this.#chain = p.catch(() => undefined);
    this.#pending.set(file, p);
    void p.finally(() => this.#pending.delete(file)).catch(() => undefined);
    return p;
  }
}

const PREVIEW_ENCODING = { format: 'jpg', quality: 90, keepMetadata: false, stripGps: true } as const satisfies Partial<StylizeOptions>;

async function toJpeg(out: PreviewOutput): Promise<Buffer> {
  const buf = Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  if (sniffMime(buf) === 'image/jpeg') return buf;
  const px = out.width * out.height;
  if (buf.length === px * 3 || buf.length === px * 4) {
    return sharp(buf, { raw: { width: out.width, height: out.height, channels: buf.length === px * 3 ? 3 : 4 } }).jpeg({ quality: 90 }).toBuffer();
  }
  return sharp(buf).jpeg({ quality: 90 }).toBuffer();
}

async function encodedPreview(out: PreviewOutput): Promise<{ data: Buffer; mime: string }> {
  const buf = Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  const mime = sniffMime(buf);
  if (mime !== 'application/octet-stream') return { data: buf, mime };
  return { data: await toJpeg(out), mime: 'image/jpeg' };
}

const TICKET = (v: unknown, what: string): string => id(v, what);

export function validatePreviewRequest(v: unknown, known: ReadonlyMap<string, { model: string; multi: boolean }>): PreviewRequest {
  const o = plainObject(v, 'preview request');
  knownKeys(o, ['style', 'size', 'strength', 'preserveColors'], 'preview request');
  return {
    style: styleRef(o.style, known, 'style'),
    size: int(o.size, 64, 4096, 'size'),
    strength: num(o.strength, 0, 1, 'strength'),
    preserveColors: bool(o.preserveColors, 'preserveColors'),
  };
}

export function validateExportRequest(v: unknown, known: ReadonlyMap<string, { model: string; multi: boolean }>, roots: AllowedRoots): ExportRequest {
  const o = plainObject(v, 'export request');
  knownKeys(o, ['files', 'folders', 'outDir', 'recursive', 'skipExisting', 'options'], 'export request');
  const files = array(o.files, 100_000, 'files').map((f, i) => allowedPath(roots, f, `files[${i}]`));
  const folders = array(o.folders, 256, 'folders').map((f, i) => allowedPath(roots, f, `folders[${i}]`));
  if (files.length + folders.length === 0) fail('Expected at least one photo or folder to export');
  const outDir = absPath(o.outDir, 'outDir');
  if (!roots.containsDir(outDir)) throw new ArgError(`Output folder '${outDir}' was not chosen in this session; choose it with the folder dialog`, 'not-allowed');
  const opt = plainObject(o.options, 'options');
  knownKeys(opt, ['style', 'size', 'strength', 'preserveColors', 'format', 'quality', 'keepMetadata', 'stripGps'], 'options');
  return {
    files,
    folders,
    outDir,
    recursive: bool(o.recursive, 'recursive'),
    skipExisting: bool(o.skipExisting, 'skipExisting'),
    options: {
      style: styleRef(opt.style, known, 'style'),
      size: sizeChoice(opt.size, 'size'),
      strength: num(opt.strength, 0, 1, 'strength'),
      preserveColors: bool(opt.preserveColors, 'preserveColors'),
      format: oneOf(opt.format, FORMATS, 'format'),
      quality: int(opt.quality, 1, 100, 'quality'),
      keepMetadata: bool(opt.keepMetadata, 'keepMetadata'),
      stripGps: bool(opt.stripGps, 'stripGps'),
    },
  };
}

/** A path the user opened in this session (realpath), or an ArgError. */
function allowedPath(roots: AllowedRoots, v: unknown, what: string): string {
  const p = absPath(v, what);
  const real = roots.resolve(p);
  if (real === null) throw new ArgError(`Path for ${what} is outside the folders and files you opened: '${p}'`, 'not-allowed');
  return real;
}

/** Turn the engine's doctor report into readable checks (duck-typed: the report is informative). */
export function normalizeDoctor(raw: unknown): DoctorCheck[] {
  if (!raw || typeof raw !== 'object') return [{ name: 'engine', ok: false, detail: String(raw) }];
  const r = raw as Record<string, unknown>;
  const checks: DoctorCheck[] = [];
  const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '-' : JSON.stringify(v));
  checks.push({ name: 'Platform', ok: true, detail: `${str(r['platform'])} ${str(r['arch'])}, ${str(r['cpus'])} CPUs` });
  for (const k of ['node', 'electron', 'onnxruntime', 'sharp', 'libvips']) if (k in r && r[k] !== null) checks.push({ name: k, ok: true, detail: str(r[k]) });
  if (typeof r['modelsDir'] === 'string') checks.push({ name: 'Models folder', ok: true, detail: r['modelsDir'] });
  if (Array.isArray(r['models'])) {
    for (const m of r['models'] as { id?: unknown; ok?: unknown; styles?: unknown; error?: unknown }[]) {
      checks.push({
        name: `Model ${str(m.id)}`,
        ok: m.ok === true,
        detail: m.ok === true ? `${Array.isArray(m.styles) ? m.styles.length : 0} styles` : str(m.error),
      });
    }
  }
  if (Array.isArray(r['probes'])) {
    for (const p of r['probes'] as { name?: unknown; ok?: unknown; error?: unknown }[]) {
      checks.push({ name: `Provider ${str(p.name)}`, ok: p.ok === true, detail: p.ok === true ? 'works' : str(p.error) });
    }
  }
  const device = r['device'] as { provider?: unknown; fallbackReason?: unknown } | null | undefined;
  if (device) checks.push({ name: 'Device', ok: !device.fallbackReason, detail: device.fallbackReason ? `CPU fallback: ${str(device.fallbackReason)}` : str(device.provider) });
  return checks;
}

function errorLine(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object') {
    const o = e as { model?: unknown; id?: unknown; message?: unknown; error?: unknown };
    const who = o.model ?? o.id;
    const msg = o.message ?? o.error;
    if (msg !== undefined) return who !== undefined ? `${String(who)}: ${String(msg)}` : String(msg);
  }
  return JSON.stringify(e);
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
  /** Abort everything, then close the current engine. */
  close(): Promise<void>;
  /** Forward engine crash/restart notices to the renderer. */
  engineCrashed(message: string, retried: boolean): void;
  engineRestarted(): void;
  /** Abort in-flight previews and exports (window closing / app quitting). */
  abortAll(): void;
}

export function createHandlers(deps: HandlerDeps): HandlerHost {
  const { roots, settings, results, emit, drops } = deps;
  let engine: EnginePort = deps.engine;
  const previews = new Map<string, AbortController>();
  const exports = new Map<string, AbortController>();
  let status: EngineStatus = { state: 'ready', device: null, message: null };

  // Engine calls in flight (previews, style thumbnails): an old engine is closed only after these settle.
  const inflight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    void p.then(
      () => inflight.delete(p),
      () => inflight.delete(p),
    );
    return p;
  };
  // Device switching: a chain, so two quick changes apply in order; the last choice wins.
  let switching: Promise<void> = Promise.resolve();
  let pendingDevice: DeviceChoice | null = null;
  /** The engine to start new work on: waits for a switch in progress. */
  const current = async (): Promise<EnginePort> => {
    await switching;
    return engine;
  };
  // What StyleThumbs renders with: always the current engine; its calls are tracked like previews.
  const thumbEngine: EnginePort = new Proxy({} as EnginePort, {
    get: (_t, prop) => {
      if (prop === 'preview') return (...a: Parameters<EnginePort['preview']>) => current().then((e) => track(e.preview(...a)));
      const v = (engine as unknown as Record<string | symbol, unknown>)[prop];
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(engine) : v;
    },
  });

  const setStatus = (patch: Partial<EngineStatus>): void => {
    status = { ...status, ...patch };
    emit('engine:status', status);
  };

  const knownStyles = (): Map<string, { model: string; multi: boolean }> => {
    const list = engine.styles();
    const perModel = new Map<string, number>();
    for (const s of list) perModel.set(s.model, (perModel.get(s.model) ?? 0) + 1);
    return new Map(list.map((s) => [s.id, { model: s.model, multi: (perModel.get(s.model) ?? 0) > 1 }]));
  };

  const refreshDevice = async (): Promise<void> => {
    try {
      const device = await engine.deviceReport();
      if (device && JSON.stringify(device) !== JSON.stringify(status.device)) setStatus({ device });
    } catch {
      // device report is informative only
    }
  };

  const swapEngine = async (): Promise<void> => {
    const device = pendingDevice;
    pendingDevice = null;
    if (device === null || !deps.createEngine) return;
    const label = device === 'auto' ? 'automatic device choice' : device.toUpperCase();
    setStatus({ state: 'starting', device: null, message: `Switching to ${label}…` });
    let next: EnginePort;
    try {
      next = await deps.createEngine(device);
    } catch (e) {
      setStatus({ state: 'error', message: `Could not switch to ${label}: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    const old = engine;
    engine = next;
    // New work goes to the new engine from here; let the old one finish what it has, then close it.
    await Promise.allSettled([...inflight]);
    try {
      await old.close();
    } catch {
      // closing a worker that already died is not the user's problem
    }
    try {
      // Start the worker now so the status bar shows the provider it actually got (GPU or CPU fallback).
      await next.warmup?.();
    } catch (e) {
      // e.g. 'gpu' where no GPU provider works: say so now rather than on the first preview.
      setStatus({ state: 'error', device: null, message: `${label}: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    setStatus({ state: exports.size > 0 ? 'busy' : 'ready', device: null, message: null });
    await refreshDevice();
  };

  /** Apply a new device choice now, or after the running export. */
  const applyDevice = (device: DeviceChoice): void => {
    if (!deps.createEngine) return;
    pendingDevice = device;
    if (exports.size === 0) switching = switching.then(swapEngine);
    else setStatus({ message: 'The new device applies when the export finishes' });
  };

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
        throw new ArgError(
          `Refusing ${describe(missing[0])}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''}: not dropped on this window; drop it again or use Open`,
          'not-allowed',
        );
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
    'styles:list': handler<'styles:list'>(0, () => {
      const known = knownStyles();
      const styles: StyleView[] = engine.styles().map((s) => ({ ...s, multi: known.get(s.id)?.multi ?? false }));
      return { styles, errors: engine.modelErrors().map(errorLine) };
    }),
    'styles:thumbnail': handler<'styles:thumbnail'>(1, async (raw) => {
      const styleId = id(raw, 'styleId');
      const info = knownStyles().get(styleId);
      if (!info) throw new ArgError(`Unknown style '${styleId}' for styleId`, 'not-found');
      const sha = engine.models?.().find((m) => m.id === info.model)?.sha256 ?? 'v0';
      await deps.styleThumbs.render(thumbEngine, styleId, sha.slice(0, 12));
      return styleId;
    }),
    'preview:render': handler<'preview:render'>(3, async (rawPhoto, rawReq, rawTicket) => {
      const photo = allowedPath(roots, rawPhoto, 'photo');
      const req = validatePreviewRequest(rawReq, knownStyles());
      const ticket = TICKET(rawTicket, 'ticket');
      previews.get(ticket)?.abort();
      const ac = new AbortController();
      previews.set(ticket, ac);
      try {
        let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
        try {
          meta = await sharp(photo).metadata();
        } catch (e) {
          throw Object.assign(new Error(`Cannot read '${path.basename(photo)}': ${e instanceof Error ? e.message : String(e)}`), { code: 'EDECODE' });
        }
        const swap = (meta.orientation ?? 1) >= 5;
        const sourceWidth = (swap ? meta.height : meta.width) ?? 0;
        const sourceHeight = (swap ? meta.width : meta.height) ?? 0;
        const out = await track((await current()).preview(photo, { ...PREVIEW_ENCODING, ...req }, ac.signal));
        if (ac.signal.aborted) throw Object.assign(new Error('Cancelled'), { name: 'AbortError' });
        const { data, mime } = await encodedPreview(out);
        const rid = crypto.randomUUID();
        results.put(rid, data, mime);
        void refreshDevice();
        return { id: rid, width: out.width, height: out.height, sourceWidth, sourceHeight, ms: out.ms, provider: out.provider };
      } finally {
        if (previews.get(ticket) === ac) previews.delete(ticket);
      }
    }),
    'preview:cancel': handler<'preview:cancel'>(1, (raw) => {
      const ac = previews.get(TICKET(raw, 'ticket'));
      ac?.abort();
      return ac !== undefined;
    }),
    'export:chooseFolder': handler<'export:chooseFolder'>(0, async () => {
      const dir = await deps.dialogs.chooseOutputFolder(settings.get().outputDir ?? undefined);
      if (!dir) return null;
      fs.mkdirSync(dir, { recursive: true });
      const real = roots.add(dir, 'dir');
      settings.set({ outputDir: real });
      return real;
    }),
    'export:start': handler<'export:start'>(1, (raw) => {
      const req = validateExportRequest(raw, knownStyles(), roots);
      if (exports.size > 0) throw new ArgError('An export is already running', 'not-allowed');
      const jobId = crypto.randomUUID();
      const ac = new AbortController();
      exports.set(jobId, ac);
      setStatus({ state: 'busy' });
      const inputs = [...req.files, ...req.folders];
      const opts = { ...req.options, recursive: req.recursive, skipExisting: req.skipExisting };
      // A device switch in progress finishes first (its new engine runs the batch).
      void current()
        .then((e) => e.runBatch(inputs, req.outDir, opts, (p) => emit('export:progress', { jobId, ...p }), ac.signal))
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
          // A device change made during the export applies now.
          if (pendingDevice !== null) switching = switching.then(swapEngine);
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
      if (next.device !== before) applyDevice(next.device);
      return next;
    }),
    'app:info': handler<'app:info'>(0, () => ({ ...deps.appInfo, cpus: os.cpus().length, totalMemBytes: os.totalmem() })),
    'app:doctor': handler<'app:doctor'>(0, async () => normalizeDoctor(await (await current()).doctor())),
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
    engine: () => engine,
    settled: async () => {
      // A switch queued while awaiting one is chained onto `switching`; wait until none is left.
      let seen: Promise<void> | null = null;
      while (seen !== switching) {
        seen = switching;
        await seen;
      }
    },
    async close() {
      for (const ac of previews.values()) ac.abort();
      for (const ac of exports.values()) ac.abort();
      pendingDevice = null;
      await switching;
      await engine.close();
    },
    engineCrashed(message, retried) {
      emit('engine:crash', { message, retried, at: Date.now() });
      setStatus({ state: 'restarting', message });
    },
    engineRestarted() {
      setStatus({ state: exports.size > 0 ? 'busy' : 'ready', message: null });
    },
    abortAll() {
      for (const ac of previews.values()) ac.abort();
      for (const ac of exports.values()) ac.abort();
    },
  };
}

/** Typed call helper for tests and the host: `call(h, 'styles:list')`. */
export function call<C extends Channel>(handlers: Handlers, channel: C, ...args: ArgsOf<C>): Promise<Result<ResultOf<C>>> {
  return handlers[channel](...args);
}
