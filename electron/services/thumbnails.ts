// Gallery thumbnails: decoded with sharp, cached on disk keyed by path + size +
// mtime, so reopening a folder of 5,000 photos is instant. Work runs newest-first
// (LIFO): while the user scrolls, the rows now on screen win over rows scrolled past.

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

export const THUMB_SIZES = [128, 256, 384, 512] as const;

export class ThumbnailCache {
  readonly dir: string;
  readonly #concurrency: number;
  #running = 0;
  readonly #stack: (() => void)[] = [];
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(dir: string, concurrency = 2) {
    this.dir = dir;
    this.#concurrency = concurrency;
  }

  /** Path of a cached JPEG thumbnail of `file` (realpath, already access-checked). */
  async get(file: string, size: number): Promise<string> {
    const st = await fs.stat(file);
    const key = crypto.createHash('sha1').update(`${file}\0${size}\0${st.mtimeMs}\0${st.size}`).digest('hex');
    const out = path.join(this.dir, key.slice(0, 2), `${key}.jpg`);
    try {
      await fs.access(out);
      return out;
    } catch {
      // not cached yet
    }
    const existing = this.#inflight.get(out);
    if (existing) return existing;
    const p = this.#schedule(async () => {
      await fs.mkdir(path.dirname(out), { recursive: true });
      const buf = await sharp(file, { failOn: 'error', limitInputPixels: 268_402_689 })
        .rotate()
        .resize(size, size, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 78, mozjpeg: false })
        .toBuffer();
      const tmp = `${out}.${process.pid}.tmp`;
      await fs.writeFile(tmp, buf);
      await fs.rename(tmp, out);
      return out;
    }).finally(() => this.#inflight.delete(out));
    this.#inflight.set(out, p);
    return p;
  }

  #schedule<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        this.#running++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.#running--;
            this.#stack.pop()?.();
          });
      };
      if (this.#running < this.#concurrency) run();
      else this.#stack.push(run);
    });
  }
}
