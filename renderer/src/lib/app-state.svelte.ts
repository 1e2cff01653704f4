// Shared UI state (Svelte 5 runes). Components read it directly; all effects that
// talk to the app live here or in the component that owns the view.

import type { AppInfo, EngineCrash, EngineStatus, GalleryFolder, PhotoEntry, PreviewResult, RecipeChoice, Settings, StylesList, StyleView } from '../../../electron/common/ipc-contract';
import type { BatchReport, Brush, SizeChoice, StyleBlend } from '../../../electron/common/types';
import { DEFAULT_BRUSH } from '../../../electron/common/params';
import { call, errorMessage, IpcFailure } from './api';
import { learnRates, NO_RATES, type Rates } from './estimate';
import { select, selectAll, type Modifiers } from './selection';

export type View = 'preview' | 'compare';
export type ToastKind = 'error' | 'info' | 'success';

export interface Toast {
  id: number;
  kind: ToastKind;
  message: string;
}

let toastSeq = 0;

export class AppState {
  // Gallery
  root = $state<string | null>(null);
  photos = $state.raw<PhotoEntry[]>([]);
  truncated = $state(false);
  selected = $state.raw<Set<number>>(new Set());
  anchor = $state(0);
  focus = $state(0);
  loadingGallery = $state(false);

  // Styles
  styles = $state.raw<StyleView[]>([]);
  styleErrors = $state.raw<string[]>([]);
  styleId = $state<string | null>(null);
  blendWith = $state<string | null>(null);
  /** Share of the blended style (0 = only styleId, 1 = only blendWith). */
  mix = $state(0.5);
  strength = $state(1);
  preserveColors = $state(false);
  /** Long edge at which the style is painted: previews, thumbnails and exports alike. */
  brush = $state<Brush>(DEFAULT_BRUSH);

  // Views
  view = $state<View>('preview');
  zoom = $state<'fit' | '100'>('fit');
  exportOpen = $state(false);
  diagnosticsOpen = $state(false);
  compareStyles = $state.raw<string[]>([]);
  previewSize = $state(1080);
  exportSize = $state<SizeChoice>('original');

  // Last preview (for estimates and the status bar) and the rates measured on this machine.
  lastPreview = $state.raw<PreviewResult | null>(null);
  rates = $state.raw<Rates>(NO_RATES);

  // App / engine
  settings = $state.raw<Settings | null>(null);
  info = $state.raw<AppInfo | null>(null);
  engine = $state.raw<EngineStatus | null>(null);
  lastCrash = $state.raw<EngineCrash | null>(null);
  theme = $state<'dark' | 'light'>('dark');
  toasts = $state.raw<Toast[]>([]);

  current = $derived<PhotoEntry | null>(this.photos[this.focus] ?? null);
  selectedPhotos = $derived<PhotoEntry[]>([...this.selected].sort((a, b) => a - b).flatMap((i) => (this.photos[i] ? [this.photos[i]] : [])));
  styleSpec = $derived.by<string | StyleBlend | null>(() => {
    if (!this.styleId) return null;
    if (!this.blendWith || this.blendWith === this.styleId) return this.styleId;
    return { [this.styleId]: round3(1 - this.mix), [this.blendWith]: round3(this.mix) };
  });
  styleById = $derived(new Map(this.styles.map((s) => [s.id, s])));

  toast(kind: ToastKind, message: string): void {
    const t: Toast = { id: ++toastSeq, kind, message };
    this.toasts = [...this.toasts, t].slice(-5);
    const ttl = kind === 'error' ? 9000 : 4500;
    setTimeout(() => this.dismiss(t.id), ttl);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  /** Run an action, turning failures into an error toast. */
  async guard<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof IpcFailure && e.code === 'cancelled') return undefined;
      this.toast('error', `${what}: ${errorMessage(e)}`);
      return undefined;
    }
  }

  setGallery(g: GalleryFolder | null): void {
    if (!g) return;
    this.root = g.root;
    this.photos = g.photos;
    this.truncated = g.truncated;
    this.selected = g.photos.length > 0 ? new Set([0]) : new Set();
    this.anchor = 0;
    this.focus = 0;
    if (g.photos.length === 0) this.toast('info', 'No photos found there (JPEG, PNG, WebP, TIFF, AVIF, HEIC).');
    if (g.truncated) this.toast('info', `Showing the first ${g.photos.length.toLocaleString()} photos.`);
  }

  async openFolder(): Promise<void> {
    this.loadingGallery = true;
    try {
      this.setGallery((await this.guard('Open folder', () => call('gallery:openFolder'))) ?? null);
    } finally {
      this.loadingGallery = false;
    }
  }

  async openFiles(): Promise<void> {
    this.setGallery((await this.guard('Open photos', () => call('gallery:openFiles'))) ?? null);
  }

  async addPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) {
      this.toast('error', 'Drop files from your file manager (their paths are not available here).');
      return;
    }
    this.setGallery((await this.guard('Add dropped items', () => call('gallery:addPaths', paths))) ?? null);
  }

  click(index: number, mods: Modifiers): void {
    const next = select({ selected: this.selected, anchor: this.anchor, focus: this.focus }, index, mods);
    this.selected = next.selected;
    this.anchor = next.anchor;
    this.focus = next.focus;
  }

  selectAll(): void {
    const next = selectAll(this.photos.length, this.focus);
    this.selected = next.selected;
    this.anchor = next.anchor;
  }

  async loadStyles(): Promise<void> {
    const list = await this.guard('Load styles', () => call('styles:list'));
    if (list) this.applyStyles(list);
  }

  /**
   * A styles list: loaded, returned by a rename or delete, or sent by main after the styles folder
   * changed (the CLI writes it too). Each problem is toasted once, not again with every list.
   */
  applyStyles(list: StylesList): void {
    const known = new Set(this.styleErrors);
    this.styles = list.styles;
    this.styleErrors = list.errors;
    for (const e of list.errors) if (!known.has(e)) this.toast('error', `Model problem: ${e}`);
    if (!this.styleId || !this.styleById.has(this.styleId)) this.styleId = list.styles[0]?.id ?? null;
    if (this.blendWith && !this.styleById.has(this.blendWith)) this.blendWith = null;
    if (this.compareStyles.length === 0) this.compareStyles = list.styles.slice(0, 4).map((s) => s.id);
    else this.compareStyles = this.compareStyles.filter((id) => this.styleById.has(id));
  }

  async loadSettings(): Promise<void> {
    const s = await this.guard('Load settings', () => call('settings:get'));
    if (!s) return;
    this.settings = s;
    this.strength = s.strength;
    this.preserveColors = s.preserveColors;
    this.brush = s.brush;
    this.previewSize = s.previewSize;
    this.exportSize = s.exportSize;
    if (s.compareStyles.length > 0) this.compareStyles = s.compareStyles;
    this.applyTheme(s.theme);
  }

  async saveSettings(patch: Partial<Settings>): Promise<void> {
    const s = await this.guard('Save settings', () => call('settings:set', patch));
    if (s) this.settings = s;
  }

  applyTheme(pref: Settings['theme']): void {
    const dark = pref === 'system' ? !(globalThis.matchMedia?.('(prefers-color-scheme: light)').matches ?? false) : pref === 'dark';
    this.theme = dark ? 'dark' : 'light';
    document.documentElement.dataset['theme'] = this.theme;
  }

  toggleTheme(): void {
    const next = this.theme === 'dark' ? 'light' : 'dark';
    this.applyTheme(next);
    void this.saveSettings({ theme: next });
  }

  recordTiming(p: PreviewResult): void {
    this.lastPreview = p;
    this.rates = learnRates(this.rates, p.timings);
  }

  /** A painted file's recipe: its style (the app blends two), strength, brush, preserve colours. Returns why not, or null. */
  applyRecipe(r: RecipeChoice): string | null {
    const parts = typeof r.style === 'string' ? [[r.style, 1] as const] : Object.entries(r.style);
    const [a, b] = parts;
    if (!a || parts.length > 2) return `The recipe blends ${parts.length} styles and the app blends two: paint with it using pastiche stylize --recipe`;
    this.styleId = a[0];
    this.blendWith = b ? b[0] : null;
    if (b) this.mix = round3(b[1] / (a[1] + b[1] || 1));
    this.strength = r.strength;
    this.preserveColors = r.preserveColors;
    this.brush = r.brush;
    void this.saveSettings({ strength: r.strength, preserveColors: r.preserveColors, brush: r.brush });
    return null;
  }

  /** Real exports measure the output work at full size: later estimates use it. */
  recordExport(report: BatchReport): void {
    let rates = this.rates;
    for (const f of report.files) if (f.timings) rates = learnRates(rates, f.timings);
    this.rates = rates;
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export const app = new AppState();
