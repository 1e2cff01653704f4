// Media served to the renderer: the app's own files, photos, thumbnails, preview
// results and style thumbnails. One resolver for both the Electron protocol
// handler (pastiche://<kind>/<ref>) and the e2e test host (/media/<kind>/<ref>),
// so both enforce the same containment rules.

import fs from 'node:fs/promises';
import path from 'node:path';
import { AllowedRoots, isInside, pathProblem } from './roots.js';
import { isPhotoName } from './gallery.js';
import type { ThumbnailCache } from './thumbnails.js';
import { THUMB_SIZES } from './thumbnails.js';

export type MediaRequest = { kind: 'photo'; path: string } | { kind: 'thumb'; path: string; size: number } | { kind: 'result'; id: string } | { kind: 'style'; id: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Pure: turn `<kind>` + the (still percent-encoded) rest of the URL path into a request. */
export function parseMediaRequest(kind: string, encodedRef: string, query: URLSearchParams): Parsed<MediaRequest> {
  let ref: string;
  try {
    ref = decodeURIComponent(encodedRef.replace(/^\/+/, ''));
  } catch {
    return { ok: false, status: 400, message: 'Malformed percent-encoding' };
  }
  switch (kind) {
    case 'photo':
    case 'thumb': {
      const problem = pathProblem(ref, `${kind} path`);
      if (problem) return { ok: false, status: 400, message: problem };
      if (!isPhotoName(path.basename(ref))) return { ok: false, status: 403, message: 'Not a photo file' };
      if (kind === 'photo') return { ok: true, value: { kind, path: ref } };
      const size = Number(query.get('size') ?? 256);
      if (!(THUMB_SIZES as readonly number[]).includes(size)) {
        return { ok: false, status: 400, message: `Expected one of ${THUMB_SIZES.join(', ')} for size` };
      }
      return { ok: true, value: { kind, path: ref, size } };
    }
    case 'result':
    case 'style':
      if (!ID_RE.test(ref)) return { ok: false, status: 400, message: `Expected an id for ${kind}` };
      return { ok: true, value: { kind, id: ref } };
    default:
      return { ok: false, status: 404, message: `Unknown media kind '${kind}'` };
  }
}

/** Pure: the file under `root` for a request path of the app's static files, or null if it escapes. */
export function resolveStatic(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]+/).includes('..')) return null;
  const rel = decoded.replace(/^\/+/, '') || 'index.html';
  const full = path.resolve(root, rel);
  return isInside(root, full) ? full : null;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export function mimeOf(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** In-memory LRU of rendered previews (ids are random, never paths). */
export class ResultStore {
  readonly #max: number;
  readonly #items = new Map<string, { data: Buffer; mime: string }>();
  constructor(max = 48) {
    this.#max = max;
  }
  put(id: string, data: Buffer, mime: string): void {
    this.#items.delete(id);
    this.#items.set(id, { data, mime });
    while (this.#items.size > this.#max) this.#items.delete(this.#items.keys().next().value!);
  }
  get(id: string): { data: Buffer; mime: string } | undefined {
    return this.#items.get(id);
  }
}

export interface MediaContext {
  roots: AllowedRoots;
  thumbs: ThumbnailCache;
  results: ResultStore;
  /** Path of a style's cached thumbnail, or null if not rendered yet. */
  styleThumb(id: string): string | null;
}

export interface MediaResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function text(status: number, message: string): MediaResponse {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: Buffer.from(message) };
}

/** Serve one media request; never throws. */
export async function serveMedia(req: MediaRequest, ctx: MediaContext): Promise<MediaResponse> {
  try {
    switch (req.kind) {
      case 'photo':
      case 'thumb': {
        const real = ctx.roots.resolve(req.path);
        if (real === null) return text(403, 'Outside the folders you opened');
        if (req.kind === 'photo') {
          return { status: 200, headers: { 'content-type': mimeOf(real), 'cache-control': 'no-cache' }, body: await fs.readFile(real) };
        }
        try {
          const file = await ctx.thumbs.get(real, req.size);
          return { status: 200, headers: { 'content-type': 'image/jpeg', 'cache-control': 'max-age=3600' }, body: await fs.readFile(file) };
        } catch (e) {
          return text(422, `Cannot decode photo: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      case 'result': {
        const item = ctx.results.get(req.id);
        if (!item) return text(404, 'Preview expired');
        return { status: 200, headers: { 'content-type': item.mime, 'cache-control': 'max-age=3600' }, body: item.data };
      }
      case 'style': {
        const file = ctx.styleThumb(req.id);
        if (!file) return text(404, 'Style thumbnail not rendered');
        return { status: 200, headers: { 'content-type': 'image/jpeg', 'cache-control': 'no-cache' }, body: await fs.readFile(file) };
      }
    }
  } catch (e) {
    return text(500, e instanceof Error ? e.message : String(e));
  }
}
