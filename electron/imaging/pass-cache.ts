// What does not change between a preview, the style thumbnails, the 1:1 view and an export of the
// same photo, style and brush: the decoded photo at the export size and the brush plan's passes
// (brush pass, detail pass, the back-projection layers, native's whole-image statistics). Kept in
// the worker in one least-recently-used store bounded by bytes, so panning the 1:1 view or moving
// the strength slider never repeats a decode or a pass.
import crypto from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { RenderSettings } from '../common/worker-protocol.js';
import { decodeImage, type DecodedImage, type DecodeOptions } from './image-io.js';

/** Default bound of the store: a 24 MP photo's decoded pixels are 72 MB, its passes ~25 MB more. */
export const PASS_CACHE_BYTES = 768 * 1024 * 1024;

/** An entry's size in bytes: the sum of its buffers. */
export type Sized = { bytes: number };

export class PassCache {
  readonly #map = new Map<string, { value: unknown; bytes: number }>();
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(readonly maxBytes = PASS_CACHE_BYTES) {}

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#map.size;
  }

  get<T>(key: string): T | undefined {
    const e = this.#map.get(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    // Most recently used last: Map keeps insertion order.
    this.#map.delete(key);
    this.#map.set(key, e);
    this.hits++;
    return e.value as T;
  }

  /** Stores a value of `bytes`; one larger than the whole bound is not kept. */
  set(key: string, value: unknown, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.#map.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [k, e] of this.#map) {
      if (this.#bytes <= this.maxBytes) break;
      this.#map.delete(k);
      this.#bytes -= e.bytes;
    }
  }

  delete(key: string): void {
    const e = this.#map.get(key);
    if (!e) return;
    this.#map.delete(key);
    this.#bytes -= e.bytes;
  }

  /** The cached value, or the one `make` computes (stored when `store` allows). */
  async through<T>(key: string, make: () => Promise<T>, bytesOf: (v: T) => number, store = true): Promise<T> {
    const hit = this.get<T>(key);
    if (hit !== undefined) return hit;
    const v = await make();
    if (store) this.set(key, v, bytesOf(v));
    return v;
  }

  clear(): void {
    this.#map.clear();
    this.#bytes = 0;
  }
}

/** The bound from PASTICHE_PASS_CACHE_MB (0 turns the store off), else PASS_CACHE_BYTES. */
export function passCacheBytes(env: NodeJS.ProcessEnv): number {
  const v = env['PASTICHE_PASS_CACHE_MB'];
  const mb = v === undefined || v === '' ? NaN : Number(v);
  return Number.isFinite(mb) && mb >= 0 ? Math.round(mb * 1024 * 1024) : PASS_CACHE_BYTES;
}

/** The photo's identity: its path and version (a photo edited on disk is decoded again). */
export async function photoKey(file: string): Promise<string> {
  const st = await stat(file);
  return `${file}|${st.mtimeMs}|${st.size}`;
}

/** What decides a pass's pixels besides its size: the model, the style and how it is tiled. */
export function styleKey(s: Pick<RenderSettings, 'model' | 'tilePixels' | 'tileSize' | 'statsEdge' | 'device'>): string {
  const m = s.model;
  const text = JSON.stringify([m.id, m.path, m.weights, m.vector, s.tilePixels, s.tileSize ?? null, s.statsEdge, s.device]);
  return crypto.createHash('sha1').update(text).digest('hex');
}

/** The store a job may use: exports read it but do not fill it (a batch would evict the view's passes). */
export interface CacheUse {
  cache: PassCache;
  write: boolean;
}

const decodedBytes = (d: DecodedImage): number => d.rgb.byteLength + (d.alpha?.byteLength ?? 0);

/**
 * The photo decoded as `opts` asks, from the store when it is there. `key` names this decode (the
 * passes of its pixels are stored under it); null without a store or when the file cannot be read.
 */
export async function cachedDecode(job: { input: string }, opts: DecodeOptions, use?: CacheUse): Promise<{ image: DecodedImage; key: string | null; hit: boolean }> {
  let key: string | null = null;
  if (use && use.cache.maxBytes > 0) {
    try {
      key = `${await photoKey(job.input)}|${JSON.stringify([opts.size, opts.allowUpscale ?? false, opts.maxPixels ?? null, opts.fast ?? false])}`;
    } catch {
      key = null; // the decode below says what is wrong with the file
    }
  }
  if (use && key) {
    const hit = use.cache.get<DecodedImage>(key);
    if (hit) return { image: hit, key, hit: true };
  }
  const image = await decodeImage(job.input, opts);
  if (use && key && use.write) use.cache.set(key, image, decodedBytes(image));
  return { image, key, hit: false };
}
