// One image showing a photo and its paintings side by side, each labelled: what `npm start` shows
// a newcomer when the desktop app cannot start.
import sharp from 'sharp';

// Average advance of a sans-serif glyph, in ems: enough to keep a label inside its tile.
const EM_PER_CHAR = 0.58;

/** Font size that fits `text` in `width`, down to `min`; below that the text is cut with an ellipsis. */
export function fitLabel(text, width, max, min = 11) {
  const size = Math.max(min, Math.min(max, Math.floor(width / (text.length * EM_PER_CHAR))));
  const chars = Math.floor(width / (size * EM_PER_CHAR));
  return { size, text: text.length <= chars ? text : `${text.slice(0, Math.max(1, chars - 1)).trimEnd()}\u2026` };
}

const escapeXml = (s) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);

/**
 * Writes a grid of `tiles` (each `{ file, label }`), every tile scaled to `tileWidth` and the height
 * of the first tile's aspect, with its label in a strip beneath. Returns `{ width, height, columns, rows }`.
 */
export async function writeContactSheet(tiles, out, { tileWidth = 400, columns = Math.min(6, tiles.length), labelHeight = 34, gap = 8, quality = 88 } = {}) {
  if (tiles.length === 0) throw new Error('Expected at least one tile for the contact sheet but received none');
  const first = await sharp(tiles[0].file).metadata();
  const tileHeight = Math.round((tileWidth * first.height) / first.width);
  const rows = Math.ceil(tiles.length / columns);
  const cellHeight = tileHeight + labelHeight;
  const width = columns * tileWidth + (columns + 1) * gap;
  const height = rows * cellHeight + (rows + 1) * gap;
  const layers = await Promise.all(
    tiles.map(async (t, i) => {
      const left = gap + (i % columns) * (tileWidth + gap);
      const top = gap + Math.floor(i / columns) * (cellHeight + gap);
      const image = await sharp(t.file).resize(tileWidth, tileHeight, { fit: 'cover' }).toBuffer();
      const fit = fitLabel(t.label, tileWidth - 12, Math.round(labelHeight * 0.5));
      const label = Buffer.from(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${tileWidth}" height="${labelHeight}">` +
          `<text x="${tileWidth / 2}" y="${Math.round(labelHeight * 0.68)}" font-family="sans-serif" font-size="${fit.size}" fill="#f2f2f2" text-anchor="middle">${escapeXml(fit.text)}</text></svg>`,
      );
      return [
        { input: image, left, top },
        { input: label, left, top: top + tileHeight },
      ];
    }),
  );
  await sharp({ create: { width, height, channels: 3, background: '#202020' } })
    .composite(layers.flat())
    .jpeg({ quality })
    .toFile(out);
  return { width, height, columns, rows };
}
