// One labelled image of photos and their paintings in a grid: what `npm start` shows a newcomer
// (the sample in every style, scripts/contact-sheet.mjs) and what an export of several styles
// writes beside its files (a row per photo: the photo, then each style).
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

// Average advance of a sans-serif glyph, in ems: enough to keep a label inside its tile.
const EM_PER_CHAR = 0.58;

/** Font size that fits `text` in `width`, down to `min`; below that the text is cut with an ellipsis. */
export function fitLabel(text: string, width: number, max: number, min = 11): { size: number; text: string } {
  const size = Math.max(min, Math.min(max, Math.floor(width / (text.length * EM_PER_CHAR))));
  const chars = Math.floor(width / (size * EM_PER_CHAR));
  return { size, text: text.length <= chars ? text : `${text.slice(0, Math.max(1, chars - 1)).trimEnd()}\u2026` };
}

const escapeXml = (s: string): string => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);

/** A cell of the sheet; `file: null` leaves the picture empty (a painting that failed), label kept. */
export interface SheetTile {
  file: string | null;
  label: string;
}

export interface SheetOptions {
  tileWidth?: number;
  columns?: number;
  labelHeight?: number;
  gap?: number;
  quality?: number;
}

/**
 * Writes a grid of `tiles`, every tile scaled to `tileWidth` and the height of the first picture's
 * aspect, with its label in a strip beneath; written whole or not at all (temp file, rename).
 * Returns `{ width, height, columns, rows }`.
 */
export async function writeContactSheet(tiles: readonly SheetTile[], out: string, o: SheetOptions = {}): Promise<{ width: number; height: number; columns: number; rows: number }> {
  const { tileWidth = 400, columns = Math.min(6, tiles.length), labelHeight = 34, gap = 8, quality = 88 } = o;
  if (!tiles.some((t) => t.file !== null)) throw new Error('Expected at least one tile for the contact sheet but received none');
  // The first picture that reads sets the aspect; one that does not (a damaged photo) stays empty.
  let aspect = 0;
  for (const t of tiles) {
    const md = t.file
      ? await sharp(t.file)
          .metadata()
          .catch(() => null)
      : null;
    if (md) {
      aspect = md.autoOrient.height / md.autoOrient.width;
      break;
    }
  }
  if (aspect === 0) throw new Error("None of the contact sheet's pictures could be read");
  const tileHeight = Math.round(tileWidth * aspect);
  const rows = Math.ceil(tiles.length / columns);
  const cellHeight = tileHeight + labelHeight;
  const width = columns * tileWidth + (columns + 1) * gap;
  const height = rows * cellHeight + (rows + 1) * gap;
  const layers = await Promise.all(
    tiles.map(async (t, i) => {
      const left = gap + (i % columns) * (tileWidth + gap);
      const top = gap + Math.floor(i / columns) * (cellHeight + gap);
      const fit = fitLabel(t.label, tileWidth - 12, Math.round(labelHeight * 0.5));
      const label = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${tileWidth}" height="${labelHeight}">` +
          `<text x="${tileWidth / 2}" y="${Math.round(labelHeight * 0.68)}" font-family="sans-serif" font-size="${fit.size}" fill="#f2f2f2" text-anchor="middle">${escapeXml(fit.text)}</text></svg>`,
      );
      const labelLayer = { input: label, left, top: top + tileHeight };
      const image = t.file
        ? await sharp(t.file)
            .autoOrient()
            .resize(tileWidth, tileHeight, { fit: 'cover' })
            .toBuffer()
            .catch(() => null)
        : null;
      return image ? [{ input: image, left, top }, labelLayer] : [labelLayer];
    }),
  );
  const data = await sharp({ create: { width, height, channels: 3, background: '#202020' } })
    .composite(layers.flat())
    .jpeg({ quality })
    .toBuffer();
  // A hidden temp name in the same folder, so the rename is atomic.
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.pastiche-tmp-${process.pid}`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, out);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  return { width, height, columns, rows };
}
