// Style thumbnails: the bundled sample photo rendered once by each style's model, cached on disk
// under the model's checksum (a retrained model never shows a stale thumbnail).

import fs from 'node:fs';
import path from 'node:path';
import { PREVIEW_ENCODING } from '../common/params.js';
import type { EnginePort } from './engine-port.js';

/** The long edge of a style thumbnail, in pixels. */
export const STYLE_THUMB_SIZE = 256;

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

  render(engine: Pick<EnginePort, 'preview'>, styleId: string, version: string): Promise<string> {
    this.#versions.set(styleId, version);
    const file = this.fileFor(styleId, version);
    if (fs.existsSync(file)) return Promise.resolve(file);
    const pending = this.#pending.get(file);
    if (pending) return pending;
    // One at a time: thumbnails must not starve the preview the user is waiting for.
    const p = this.#chain.then(async () => {
      const out = await engine.preview(this.sample, { ...PREVIEW_ENCODING, style: styleId, size: STYLE_THUMB_SIZE, strength: 1, preserveColors: false });
      // The worker encodes JPEG unless the photo has alpha; the sample photo is an opaque JPEG.
      if (out.mime !== 'image/jpeg') throw new Error(`Style thumbnail of '${styleId}' came back as ${out.mime}; the sample photo ${this.sample} must be an opaque photo`);
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(`${file}.tmp`, out.data);
      fs.renameSync(`${file}.tmp`, file);
      return file;
    });
    this.#chain = p.catch(() => undefined);
    this.#pending.set(file, p);
    void p.finally(() => this.#pending.delete(file)).catch(() => undefined);
    return p;
  }
}
