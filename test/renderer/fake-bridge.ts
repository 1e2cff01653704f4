// A fake window.pastiche for component specs: scripted handlers per channel and
// an emit() to push main->renderer events.
import type { ArgsOf, Channel, EventContract, EventName, PasticheApi, PreviewResult, Result, ResultOf, Settings, StyleView } from '../../electron/common/ipc-contract';

export type FakeHandlers = { [C in Channel]?: (...args: ArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>> | Result<ResultOf<C>> };

export interface FakeBridge {
  calls: { channel: Channel; args: unknown[] }[];
  emit<E extends EventName>(event: E, payload: EventContract[E]): void;
  handlers: FakeHandlers;
}

function isResult(v: unknown): v is Result<unknown> {
  return typeof v === 'object' && v !== null && 'ok' in v && typeof (v as { ok: unknown }).ok === 'boolean';
}

export function installFakeBridge(handlers: FakeHandlers = {}): FakeBridge {
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const bridge: FakeBridge = {
    calls: [],
    handlers,
    emit(event, payload) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
  const api: PasticheApi = {
    async invoke(channel, ...args) {
      bridge.calls.push({ channel, args });
      const h = bridge.handlers[channel] as ((...a: unknown[]) => unknown) | undefined;
      if (!h) return { ok: false, error: { code: 'internal', message: `no fake for ${channel}` } } as never;
      try {
        const v = await h(...args);
        return (isResult(v) ? v : { ok: true, value: v }) as never;
      } catch (e) {
        return { ok: false, error: { code: 'engine', message: e instanceof Error ? e.message : String(e) } } as never;
      }
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
    pathForFile: () => '',
    mediaBase: '/media/',
    platform: 'test',
  };
  Object.defineProperty(window, 'pastiche', { value: api, configurable: true, writable: true });
  return bridge;
}

export const STYLES: StyleView[] = [
  { id: 'ember', index: 0, model: 'pack', title: 'Ember', artist: 'A. Painter', year: '1889', publicDomain: 'yes', painting: 's', source: 'builtin', multi: true },
  { id: 'tide', index: 1, model: 'pack', title: 'Tide', artist: 'B. Painter', year: '1890', publicDomain: 'yes', painting: 's', source: 'builtin', multi: true },
  { id: 'solo', index: 0, model: 'single', title: 'Solo', artist: 'C. Painter', year: '', publicDomain: 'yes', painting: 's', source: 'builtin', multi: false },
];

export function photos(n: number): { path: string; name: string; rel: string; bytes: number; mtimeMs: number }[] {
  return Array.from({ length: n }, (_, i) => ({ path: `/p/img-${i}.jpg`, name: `img-${i}.jpg`, rel: `img-${i}.jpg`, bytes: 1000, mtimeMs: 0 }));
}

/**
 * A preview result as the engine returns it: a 4000x3000 photo, its export at brush 1024
 * (two-scale), timings of the brush and detail passes (about 2 s/MP).
 */
export function fakePreview(over: Partial<PreviewResult> = {}): PreviewResult {
  return {
    id: 'r',
    width: 1080,
    height: 810,
    sourceWidth: 4000,
    sourceHeight: 3000,
    ms: 6000,
    provider: 'cpu',
    exportPlan: { mode: 'two-scale', width: 4000, height: 3000, brushWidth: 1024, brushHeight: 768, detailWidth: 1825, detailHeight: 1369 },
    timings: {
      passes: [
        { kind: 'brush', width: 1024, height: 768, tiles: 1, ms: 1573 },
        { kind: 'detail', width: 1825, height: 1369, tiles: 1, ms: 4997 },
      ],
      decodeMs: 600,
      reduceMs: 480,
      reducePixels: 12e6,
      decodePixels: 12e6,
      outputMs: 262,
      outputPixels: 1080 * 810,
      blend: true,
    },
    limits: { tilePixels: 3_000_000, statsEdge: 1024 },
    ...over,
  };
}

/** Settings as main returns them (the default output folder filled in). */
export const SETTINGS: Settings = {
  theme: 'dark',
  device: 'auto',
  previewSize: 1080,
  exportSize: 'original',
  brush: 1024,
  format: 'jpg',
  quality: 92,
  keepMetadata: true,
  stripGps: true,
  skipExisting: true,
  recursive: true,
  strength: 1,
  preserveColors: false,
  outputDir: '/home/u/Pictures/Pastiche',
  nameTemplate: '{name}_{style}',
  lastFolder: null,
  compareStyles: [],
};
