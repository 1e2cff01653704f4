// The one typed IPC contract between the renderer and the main process.
// Main's handler registration, the preload bridge, the e2e test host and the
// renderer are all typed from these maps, so a channel cannot drift between them.
// Pure TypeScript: types plus two constant channel lists (the preload allow-lists them).

import type { PreviewOutput, Rect } from './worker-protocol.js';
import type { BatchProgress, Brush, BatchReport, CrashInfo, DeviceChoice, DeviceReport, OutputFormat, SizeChoice, StyleBlend, StyleInfo, StylizeOptions } from './types.js';

export type ErrorCode = 'bad-sender' | 'bad-argument' | 'not-allowed' | 'not-found' | 'cancelled' | 'busy' | 'engine' | 'io' | 'internal';

export interface IpcError {
  code: ErrorCode;
  message: string;
}

/** Handlers never throw across IPC: every outcome is a value. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface PhotoEntry {
  /** Absolute path; also the photo's handle in every other channel. */
  path: string;
  name: string;
  /** Path relative to the gallery root, with '/' separators. */
  rel: string;
  bytes: number;
  mtimeMs: number;
}

export interface GalleryFolder {
  /** The folder opened, or null when loose files were opened/dropped. */
  root: string | null;
  photos: PhotoEntry[];
  /** True when the scan stopped at the photo limit. */
  truncated: boolean;
}

export interface StyleView extends StyleInfo {
  /** Styles of one multi-style model can be blended with each other. */
  multi: boolean;
}

export interface StylesList {
  styles: StyleView[];
  /** Models that failed to load (bad file, checksum...), as readable lines. */
  errors: string[];
}

/** Whether a style can be learned here: the learning graphs and the learner's data found, or what is missing. */
export interface TrainerStatus {
  ready: boolean;
  /** What is missing and what to install, when not ready. */
  message: string | null;
  /** Training time limits of a request, in minutes. */
  minutes: { min: number; max: number; default: number };
}

export interface AddStyleRequest {
  /** A painting file chosen with styles:choosePainting. */
  painting: string;
  id: string;
  title: string;
  /** '' for none. */
  artist: string;
  minutes: number;
  /** A photo (of the opened ones) to show the current result on about every minute; null for none. */
  previewPhoto: string | null;
}

export interface AddStyleProgress {
  jobId: string;
  step: number;
  of: number;
  elapsedS: number;
  etaS: number;
  loss: number;
}

export interface AddStylePreview {
  jobId: string;
  /** Media reference of the current result on the preview photo (MediaKind 'result'). */
  id: string;
}

export interface AddStyleDone {
  jobId: string;
  /** The new style, once it is in the list; null when cancelled or failed. */
  style: StyleView | null;
  cancelled: boolean;
  error: string | null;
}

export interface PreviewRequest {
  style: string | StyleBlend;
  /** Long edge of the preview, in pixels. */
  size: number;
  /** The export this preview stands for: the preview is that export downscaled (same brush plan). */
  exportSize: SizeChoice;
  brush: Brush;
  strength: number;
  preserveColors: boolean;
}

/** The 1:1 view: `rect` of the export at `exportSize`, painted at the export's size and brush plan. */
export interface RegionRequest {
  style: string | StyleBlend;
  exportSize: SizeChoice;
  brush: Brush;
  strength: number;
  preserveColors: boolean;
  rect: Rect;
}

/** The painted rectangle (MediaKind 'result', PNG: the export's own pixels) and where it lies. */
export interface RegionResult {
  id: string;
  rect: Rect;
  exportWidth: number;
  exportHeight: number;
  ms: number;
  /** The photo's passes were already kept: only the rectangle was painted. */
  cached: boolean;
}

/** Style thumbnails show the style on this photo (null: the bundled sample), at this brush and export size. */
export interface StyleThumbRequest {
  photo: string | null;
  brush: Brush;
  exportSize: SizeChoice;
}

/** A preview as the page gets it: the image by media reference (MediaKind 'result') instead of its bytes. */
export type PreviewResult = Omit<PreviewOutput, 'data' | 'mime' | 'fallbackReason' | 'warnings'> & { id: string };

/** Export settings are exactly the engine's per-file options. */
export type ExportOptions = StylizeOptions;

export interface ExportRequest {
  /** Photos to export (absolute paths already opened in the gallery). */
  files: string[];
  /** Whole folders to export (mirrored tree under outDir). */
  folders: string[];
  outDir: string;
  recursive: boolean;
  /** Skip a photo whose export with these settings is there (its recipe says so); other exports are always kept. */
  skipExisting: boolean;
  /** Output names (electron/common/output-names.ts); default '{name}_{style}'. */
  nameTemplate?: string;
  /** Export each of these styles in turn (the side-by-side view's), instead of options.style. */
  styles?: (string | StyleBlend)[];
  /** Also write a labelled contact sheet of the photos x styles into outDir. */
  contactSheet?: boolean;
  options: ExportOptions;
}

/** The settings recorded in a painted file's recipe (electron/common/recipe.ts), checked against the loaded styles. */
export interface RecipeChoice {
  file: string;
  style: string | StyleBlend;
  styleTitle: string;
  strength: number;
  brush: Brush;
  preserveColors: boolean;
  size: SizeChoice;
  appVersion: string;
}

export interface ExportStarted {
  jobId: string;
}

export interface ExportProgress extends BatchProgress {
  jobId: string;
}

export interface ExportDone {
  jobId: string;
  outDir: string;
  report: BatchReport;
}

/** Whether the export can write into a folder, asked when it is chosen rather than at Export. */
export interface FolderCheck {
  path: string;
  writable: boolean;
  /** Why not, in words, when not writable. */
  problem: string | null;
}

export type Theme = 'system' | 'dark' | 'light';

export interface Settings {
  theme: Theme;
  device: DeviceChoice;
  /** Long edge of the refined preview. */
  previewSize: number;
  exportSize: SizeChoice;
  /** Long edge at which the style is painted (previews, thumbnails and exports alike). */
  brush: Brush;
  format: OutputFormat;
  quality: number;
  keepMetadata: boolean;
  stripGps: boolean;
  skipExisting: boolean;
  /** Output names of exports (electron/common/output-names.ts). */
  nameTemplate: string;
  recursive: boolean;
  strength: number;
  preserveColors: boolean;
  outputDir: string | null;
  lastFolder: string | null;
  /** Styles shown in the side-by-side view. */
  compareStyles: string[];
}

export interface AppInfo {
  version: string;
  platform: string;
  arch: string;
  cpus: number;
  totalMemBytes: number;
  modelsDir: string | null;
  /** Pixels of one inference tile (long edge), for memory estimates. */
  tileSize: number;
}

export type EngineState = 'starting' | 'ready' | 'busy' | 'restarting' | 'error';

export interface EngineStatus {
  state: EngineState;
  device: DeviceReport | null;
  message: string | null;
}

export interface EngineCrash extends CrashInfo {
  at: number;
}

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /**
   * Not ok, but nothing the user asked for failed: a GPU provider this computer lacks while the
   * device is automatic (the CPU is the normal case). Shown as information, not as a problem.
   */
  neutral?: boolean;
}

export type MenuCommand = 'open-folder' | 'open-files' | 'export' | 'select-all' | 'toggle-theme' | 'view-preview' | 'view-compare' | 'zoom-fit' | 'zoom-100';

export interface IpcContract {
  'gallery:openFolder': { args: []; result: GalleryFolder | null };
  'gallery:openFiles': { args: []; result: GalleryFolder | null };
  /**
   * Paths dropped on the window (files and/or folders). Only paths the preload saw in a real
   * drop on this window shortly before are accepted (see PreloadContract); others are 'not-allowed'.
   */
  'gallery:addPaths': { args: [paths: string[]]; result: GalleryFolder };
  /** Rescan a folder opened earlier. */
  'gallery:list': { args: [root: string]; result: GalleryFolder };
  'styles:list': { args: []; result: StylesList };
  /**
   * Render (once, cached) a style's thumbnail: a detail of the photo at the brush size, painted
   * alone (the strokes at the size the export has them, in a small fast pass).
   */
  'styles:thumbnail': { args: [styleId: string, request: StyleThumbRequest]; result: string };
  /** ticket: caller-chosen id to cancel with preview:cancel; a newer render on the same ticket cancels the older. */
  'preview:render': { args: [photo: string, request: PreviewRequest, ticket: string]; result: PreviewResult };
  'preview:cancel': { args: [ticket: string]; result: boolean };
  /** The 1:1 view's rectangle; same tickets as preview:render (a newer request cancels the older). */
  'preview:region': { args: [photo: string, request: RegionRequest, ticket: string]; result: RegionResult };
  'export:chooseFolder': { args: []; result: string | null };
  /** Can an export write into this folder (one chosen with export:chooseFolder, or the default one)? */
  'export:checkFolder': { args: [folder: string]; result: FolderCheck };
  'export:start': { args: [request: ExportRequest]; result: ExportStarted };
  'export:cancel': { args: [jobId: string]; result: boolean };
  'settings:get': { args: []; result: Settings };
  'settings:set': { args: [patch: Partial<Settings>]; result: Settings };
  'app:info': { args: []; result: AppInfo };
  'app:doctor': { args: []; result: DoctorCheck[] };
  'engine:status': { args: []; result: EngineStatus };
  /** Open a folder (an export's output) in the OS file manager. */
  'shell:openPath': { args: [path: string]; result: null };
  /** Pick a painting file with the system dialog (null: cancelled); only that file may be added. */
  'styles:choosePainting': { args: []; result: string | null };
  'styles:trainer': { args: []; result: TrainerStatus };
  /** Learn a style from a painting (one at a time); progress, previews and the end come as events. */
  'styles:add': { args: [request: AddStyleRequest]; result: { jobId: string } };
  'styles:cancelAdd': { args: [jobId: string]; result: boolean };
  /** The user's styles only: a built-in one is 'not-allowed'. */
  'styles:rename': { args: [styleId: string, title: string]; result: StylesList };
  'styles:remove': { args: [styleId: string]; result: StylesList };
  /** Pick a painted file with the system dialog and read its recipe (null: cancelled). */
  'recipe:open': { args: []; result: RecipeChoice | null };
}

export interface EventContract {
  'export:progress': ExportProgress;
  'export:done': ExportDone;
  'engine:status': EngineStatus;
  'engine:crash': EngineCrash;
  'menu:command': MenuCommand;
  'styles:progress': AddStyleProgress;
  'styles:preview': AddStylePreview;
  'styles:done': AddStyleDone;
  /** The styles after the user's styles folder changed (the CLI writes it too), re-read in main. */
  'styles:changed': StylesList;
}

/**
 * Preload -> main messages (ipcRenderer.send) that never pass through the page: the page's
 * bridge only reaches CHANNELS, and main still checks the sender frame.
 */
export interface PreloadContract {
  /** Paths of a real (isTrusted) drop on the document, resolved with webUtils.getPathForFile. */
  'preload:dropped': [paths: string[]];
}

export type PreloadChannel = keyof PreloadContract;
export const PRELOAD_DROPPED = 'preload:dropped' as const satisfies PreloadChannel;

export type Channel = keyof IpcContract;
export type EventName = keyof EventContract;
export type ArgsOf<C extends Channel> = IpcContract[C]['args'];
export type ResultOf<C extends Channel> = IpcContract[C]['result'];

// Exhaustive at compile time: a channel missing from the list fails the `satisfies`.
const channelSet = {
  'gallery:openFolder': true,
  'gallery:openFiles': true,
  'gallery:addPaths': true,
  'gallery:list': true,
  'styles:list': true,
  'styles:thumbnail': true,
  'preview:render': true,
  'preview:cancel': true,
  'preview:region': true,
  'export:chooseFolder': true,
  'export:checkFolder': true,
  'export:start': true,
  'export:cancel': true,
  'settings:get': true,
  'settings:set': true,
  'app:info': true,
  'app:doctor': true,
  'engine:status': true,
  'shell:openPath': true,
  'recipe:open': true,
  'styles:choosePainting': true,
  'styles:trainer': true,
  'styles:add': true,
  'styles:cancelAdd': true,
  'styles:rename': true,
  'styles:remove': true,
} as const satisfies Record<Channel, true>;
const eventSet = {
  'export:progress': true,
  'export:done': true,
  'engine:status': true,
  'engine:crash': true,
  'menu:command': true,
  'styles:progress': true,
  'styles:preview': true,
  'styles:done': true,
  'styles:changed': true,
} as const satisfies Record<EventName, true>;

export const CHANNELS = Object.keys(channelSet) as Channel[];
export const EVENTS = Object.keys(eventSet) as EventName[];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(channelSet, value);
}
export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && Object.hasOwn(eventSet, value);
}

/** Kinds of media the app serves to the renderer (pastiche://<kind>/<ref> in Electron, /media/<kind>/<ref> in the test host). */
export type MediaKind = 'photo' | 'thumb' | 'result' | 'style';

/** What the preload exposes as `window.pastiche`. */
export interface PasticheApi {
  invoke<C extends Channel>(channel: C, ...args: ArgsOf<C>): Promise<Result<ResultOf<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void): () => void;
  /**
   * Absolute path of a dropped File (Electron's webUtils); '' where unknown. Main accepts it in
   * gallery:addPaths only if the preload reported the same path from a real drop.
   */
  pathForFile(file: File): string;
  /** Prefix of media URLs: 'pastiche://' in the app, '/media/' in the test host. */
  mediaBase: string;
  platform: string;
}

/** URL of a media item; ref is a path (photo, thumb) or an id (result, style). */
export function mediaUrl(base: string, kind: MediaKind, ref: string, query?: Record<string, string | number>): string {
  const q = query ? '?' + new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)])).toString() : '';
  return `${base}${kind}/${encodeURIComponent(ref)}${q}`;
}
