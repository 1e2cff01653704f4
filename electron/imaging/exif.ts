// Minimal EXIF (TIFF structure) reader/rewriter. sharp can keep or replace EXIF wholesale but
// cannot drop one IFD, so GPS removal and the orientation reset are done here, in place:
// offsets never move, removed bytes are zeroed.
import { mergeRecipeXmp, type Recipe } from '../common/recipe.js';

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };

export const TAG_ORIENTATION = 0x0112;
export const TAG_GPS_IFD = 0x8825;
export const TAG_EXIF_IFD = 0x8769;

const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

export interface ExifEntry {
  tag: number;
  type: number;
  count: number;
  /** Offset (within the TIFF block) of the entry itself. */
  entryOffset: number;
  /** Offset of the value bytes (inline in the entry when they fit in 4 bytes). */
  valueOffset: number;
  byteLength: number;
}

interface Tiff {
  tiff: Buffer;
  le: boolean;
  /** Bytes before the TIFF header ("Exif\0\0" or nothing). */
  prefix: number;
}

function openTiff(exif: Buffer): Tiff | null {
  const prefix = exif.subarray(0, 6).equals(EXIF_HEADER) ? 6 : 0;
  const tiff = exif.subarray(prefix);
  if (tiff.length < 8) return null;
  const bo = tiff.toString('latin1', 0, 2);
  if (bo !== 'II' && bo !== 'MM') return null;
  const le = bo === 'II';
  if ((le ? tiff.readUInt16LE(2) : tiff.readUInt16BE(2)) !== 42) return null;
  return { tiff, le, prefix };
}

function u16(t: Tiff, o: number): number {
  return t.le ? t.tiff.readUInt16LE(o) : t.tiff.readUInt16BE(o);
}
function u32(t: Tiff, o: number): number {
  return t.le ? t.tiff.readUInt32LE(o) : t.tiff.readUInt32BE(o);
}

function readIfd(t: Tiff, offset: number): { entries: ExifEntry[]; next: number } | null {
  if (offset < 8 || offset + 2 > t.tiff.length) return null;
  const n = u16(t, offset);
  if (offset + 2 + n * 12 + 4 > t.tiff.length) return null;
  const entries: ExifEntry[] = [];
  for (let i = 0; i < n; i++) {
    const e = offset + 2 + i * 12;
    const type = u16(t, e + 2);
    const count = u32(t, e + 4);
    const byteLength = (TYPE_SIZES[type] ?? 1) * count;
    entries.push({ tag: u16(t, e), type, count, entryOffset: e, valueOffset: byteLength <= 4 ? e + 8 : u32(t, e + 8), byteLength });
  }
  return { entries, next: u32(t, offset + 2 + n * 12) };
}

export interface ParsedExif {
  orientation: number | null;
  /** Tags of IFD0 (tag numbers). */
  ifd0: number[];
  /** Tags of the GPS IFD, empty when there is none. */
  gps: number[];
  hasGpsPointer: boolean;
}

/** Summary used by tests and doctor-style checks. Returns null for unparseable blobs. */
export function parseExif(exif: Buffer): ParsedExif | null {
  const t = openTiff(exif);
  if (!t) return null;
  const ifd0 = readIfd(t, u32(t, 4));
  if (!ifd0) return null;
  const o = ifd0.entries.find((e) => e.tag === TAG_ORIENTATION);
  const g = ifd0.entries.find((e) => e.tag === TAG_GPS_IFD);
  const gpsIfd = g ? readIfd(t, u32(t, g.entryOffset + 8)) : null;
  return {
    orientation: o ? u16(t, o.valueOffset) : null,
    ifd0: ifd0.entries.map((e) => e.tag),
    gps: gpsIfd ? gpsIfd.entries.map((e) => e.tag) : [],
    hasGpsPointer: Boolean(g),
  };
}

export interface RewriteExifOptions {
  /** Reset the Orientation tag to 1 (pixels are already upright). */
  resetOrientation: boolean;
  stripGps: boolean;
}

/** Returns a rewritten copy, or null when the blob cannot be parsed (callers then drop EXIF). */
export function rewriteExif(exif: Buffer, opts: RewriteExifOptions): Buffer | null {
  const copy = Buffer.from(exif);
  const t = openTiff(copy);
  if (!t) return null;
  const ifd0Offset = u32(t, 4);
  const ifd0 = readIfd(t, ifd0Offset);
  if (!ifd0) return null;
  if (opts.resetOrientation) {
    const o = ifd0.entries.find((e) => e.tag === TAG_ORIENTATION && e.type === 3);
    if (o) {
      if (t.le) t.tiff.writeUInt16LE(1, o.valueOffset);
      else t.tiff.writeUInt16BE(1, o.valueOffset);
    }
  }
  if (opts.stripGps) {
    const g = ifd0.entries.find((e) => e.tag === TAG_GPS_IFD);
    if (g) {
      const gpsIfd = readIfd(t, u32(t, g.entryOffset + 8));
      if (gpsIfd) {
        // Zero coordinates and the IFD itself so nothing recoverable stays in the file.
        for (const e of gpsIfd.entries) {
          if (e.byteLength > 4 && e.valueOffset + e.byteLength <= t.tiff.length) t.tiff.fill(0, e.valueOffset, e.valueOffset + e.byteLength);
        }
        const gpsOffset = u32(t, g.entryOffset + 8);
        t.tiff.fill(0, gpsOffset, gpsOffset + 2 + gpsIfd.entries.length * 12 + 4);
      }
      // Drop the pointer entry: shift later entries and the next-IFD offset up by 12 bytes.
      const n = ifd0.entries.length;
      const end = ifd0Offset + 2 + n * 12 + 4;
      t.tiff.copy(t.tiff, g.entryOffset, g.entryOffset + 12, end);
      t.tiff.fill(0, end - 12, end);
      if (t.le) t.tiff.writeUInt16LE(n - 1, ifd0Offset);
      else t.tiff.writeUInt16BE(n - 1, ifd0Offset);
    }
  }
  return copy;
}

/** Returns a JPEG with an APP1 EXIF segment inserted right after SOI. */
export function insertJpegExif(jpeg: Buffer, exif: Buffer): Buffer {
  const body = exif.subarray(0, 6).equals(EXIF_HEADER) ? exif : Buffer.concat([EXIF_HEADER, exif]);
  if (body.length + 2 > 0xffff) throw new RangeError('EXIF block too large for one APP1 segment');
  const head = Buffer.from([0xff, 0xe1, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

/** XMP can repeat GPS and orientation: drop exif:GPS* properties and reset tiff:Orientation. */
export function rewriteXmp(xmp: string, opts: RewriteExifOptions): string {
  let s = xmp;
  if (opts.stripGps) {
    s = s.replace(/\s+exif:GPS\w+="[^"]*"/g, '');
    s = s.replace(/<exif:GPS(\w+)\b[^>]*\/>/g, '');
    s = s.replace(/<exif:GPS(\w+)\b[^>]*>[\s\S]*?<\/exif:GPS\1>/g, '');
  }
  if (opts.resetOrientation) {
    s = s.replace(/tiff:Orientation="\d"/g, 'tiff:Orientation="1"');
    s = s.replace(/<tiff:Orientation>\d<\/tiff:Orientation>/g, '<tiff:Orientation>1</tiff:Orientation>');
  }
  return s;
}

/** The output's XMP: the photo's own (GPS and orientation rewritten) with the recipe added; undefined for none. */
export function outputXmp(photoXmp: string | undefined, opts: RewriteExifOptions, recipe: Recipe | undefined): string | undefined {
  const own = photoXmp ? rewriteXmp(photoXmp, opts) : undefined;
  return recipe ? mergeRecipeXmp(own, recipe) : own;
}
