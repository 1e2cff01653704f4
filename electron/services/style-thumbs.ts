// Style thumbnails: each style on the selected photo (the bundled sample photo before one is
// selected), cached on disk under everything that decides the picture: the model's checksum (a
// retrained model never shows a stale thumbnail), the photo and its version, the brush, the
// export size. A thumbnail is a centre crop of the photo at the scale of the export's brush pass,
// painted alone: the strokes as large, relative to the photo, as in the export, in a pass of
// 256x192 pixels instead of the whole brush-size photo (a 16-style strip stays fast).

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { StyleThumbRequest } from '../common/ipc-contract.js';
import { brushChosen, PREVIEW_ENCODING } from '../common/params.js';
import type { EnginePort } from './engine-port.js';

/** The long edge of a style thumbnail, in pixels. */
export const STYLE_THUMB_SIZE = 256;
/** The crop a thumbnail paints: the picker's 4:3 box at STYLE_THUMB_SIZE. */
export const STYLE_THUMB_CROP = { width: STYLE_THUMB_SIZE, height: (STYLE_THUMB_SIZE * 3) / 4 };

export class StyleThumbs {
  readonly dir: string;
  readonly sample: string;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #pending = new Map<string, Promise<string>>();
  /** Thumbnail ids handed out since the app started (the media handler serves only these). */
  readonly #issued = new Set<string>();

  constructor(dir: string, sample: string) {
    this.dir = dir;
    this.sample = sample;
  }

  fileFor(thumbId: string): string {
    return path.join(this.dir, `${thumbId}.jpg`);
  }

  /** The file of a thumbnail rendered (or found) since the app started, or null. */
  existing(thumbId: string): string | null {
    if (!this.#issued.has(thumbId)) return null;
    const f = this.fileFor(thumbId);
    return fs.existsSync(f) ? f : null;
  }

  /** Renders (or finds) the thumbnail; resolves to its id (a media ref of kind 'style'). */
  render(engine: Pick<EnginePort, 'preview'>, styleId: string, version: string, req: StyleThumbRequest = { photo: null, brush: 'native', exportSize: 'original' }): Promise<string> {
    const photo = req.photo ?? this.sample;
    let stamp = '';
    try {
      const st = fs.statSync(photo);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      // the engine reports the missing photo
    }
    const thumbId = crypto
      .createHash('sha1')
      .update(JSON.stringify([styleId, version, photo, stamp, req.brush, req.exportSize, STYLE_THUMB_CROP]))
      .digest('hex');
    this.#issued.add(thumbId);
    const file = this.fileFor(thumbId);
    if (fs.existsSync(file)) return Promise.resolve(thumbId);
    const pending = this.#pending.get(file);
    if (pending) return pending;
    // One at a time: thumbnails must not starve the preview the user is waiting for.
    const p = this.#chain.then(async () => {
      const out = await engine.preview(photo, {
        ...PREVIEW_ENCODING,
        style: styleId,
        size: STYLE_THUMB_SIZE,
        exportSize: req.exportSize,
        brush: req.brush,
        brushChosen: brushChosen(req.brush, 'settings'),
        strength: 1,
        preserveColors: false,
        crop: STYLE_THUMB_CROP,
      });
      // The media handler serves thumbnails as JPEG; a photo with transparency comes back as PNG.
      const data = out.mime === 'image/jpeg' ? out.data : await sharp(out.data).flatten({ background: '#ffffff' }).jpeg({ quality: PREVIEW_ENCODING.quality }).toBuffer();
      fs.mkdirSync(this.dir, { recursive: true });
      fs.writeFileSync(`${file}.tmp`, data);
      fs.renameSync(`${file}.tmp`, file);
      return thumbId;
    });
    this.#chain = p.catch(() => undefined);
    this.#pending.set(file, p);
    void p.finally(() => this.#pending.delete(file)).catch(() => undefined);
    return p;
  }
}
