// Decoding and encoding with sharp: format sniffing, size limits, orientation, colour
// management, alpha, metadata and atomic writes. Runs in the inference worker.
import { open, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { PasticheError } from '../common/errors.js';
import { DEFAULT_MAX_PIXELS } from '../common/params.js';
import type { OutputFormat, SizeChoice } from '../common/types.js';
import type { Recipe } from '../common/recipe.js';
import { insertJpegExif, outputXmp, rewriteExif } from './exif.js';
import { SNIFF_BYTES, sniff, type SniffedFormat } from './sniff.js';
import { fitLongEdge } from '../common/geometry.js';

/** Largest photo decoded whole before a reduction (300 MB of RGB); larger ones stream. */
export const FULL_DECODE_PIXELS = 100_000_000;

export interface DecodeOptions {
  size: SizeChoice;
  allowUpscale?: boolean;
  maxPixels?: number;
  /** Shrink on load (JPEG/WebP): faster for a small copy, other pixels than a full decode reduced. */
  fast?: boolean;
}

export interface SourceMetadata {
  exif?: Buffer;
  icc?: Buffer;
  xmp?: string;
}

export interface DecodedImage {
  /** Interleaved RGB, 8-bit sRGB, upright. */
  rgb: Buffer;
  /** 8-bit alpha plane at the same size, or null for opaque images. */
  alpha: Buffer | null;
  width: number;
  height: number;
  /** Upright size before resizing. */
  sourceWidth: number;
  sourceHeight: number;
  format: SniffedFormat;
  meta: SourceMetadata;
  warnings: string[];
}

async function readHead(file: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new PasticheError('NOT_FOUND', `File not found: ${file}`);
    if (err.code === 'EISDIR') throw new PasticheError('UNSUPPORTED_FORMAT', `Is a folder, not an image: ${file}`);
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new PasticheError('NOT_FOUND', `Permission denied reading ${file}`);
    throw new PasticheError('DECODE', `Cannot read ${file}: ${err.message}`);
  }
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function cleanSharpMessage(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // libvips messages are multi-line and prefixed by the loader; keep the first useful line.
  return (
    msg
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)[0] ?? msg
  );
}

/** JPEG and PNG files end with a marker (EOI, IEND); without it the file was cut off. */
async function lacksEndMarker(file: string, format: SniffedFormat): Promise<boolean> {
  if (format !== 'jpeg' && format !== 'png') return false;
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      const n = Math.min(size, 64);
      const tail = Buffer.alloc(n);
      await fh.read(tail, 0, n, size - n);
      // Some writers pad after the marker; look for it anywhere in the last 64 bytes.
      return format === 'jpeg' ? tail.lastIndexOf(Buffer.from([0xff, 0xd9])) < 0 : tail.lastIndexOf(Buffer.from('IEND', 'latin1')) < 0;
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

async function decodeError(file: string, format: SniffedFormat, e: unknown): Promise<PasticheError> {
  if (format === 'heic') {
    return new PasticheError('UNSUPPORTED_FORMAT', "HEIC is not supported by this build's decoder; convert the photo to JPEG first");
  }
  const msg = cleanSharpMessage(e);
  if (/pixel limit/i.test(msg)) return new PasticheError('TOO_LARGE', `Image is too large to process: ${msg}`);
  // libvips keeps its error text per thread; with decodes in parallel it can come back as
  // 'Unknown error', so the file's own end marker decides too.
  const truncated = /premature end|truncated|unexpected end|not enough data|read error|end of (file|stream)/i.test(msg) || (await lacksEndMarker(file, format));
  return new PasticheError('DECODE', truncated ? `${format.toUpperCase()} file is truncated or damaged (${msg})` : `Cannot decode ${format.toUpperCase()} image: ${msg}`);
}

export interface ProbeResult {
  format: SniffedFormat;
  width: number;
  height: number;
  pages: number;
  hasAlpha: boolean;
  meta: SourceMetadata;
}

/** Sniffs and reads the header only (no pixel decode); enforces maxPixels on the declared size. */
export async function probeImage(file: string, maxPixels = DEFAULT_MAX_PIXELS): Promise<ProbeResult> {
  const head = await readHead(file);
  const s = sniff(head);
  if (!s.ok) throw new PasticheError('UNSUPPORTED_FORMAT', s.reason);
  let md;
  try {
    md = await sharp(file, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw await decodeError(file, s.format, e);
  }
  const width = md.width ?? 0;
  const height = md.height ?? 0;
  if (!(width > 0 && height > 0)) throw new PasticheError('DECODE', `Cannot read the size of this ${s.format.toUpperCase()} image`);
  if (width * height > maxPixels) {
    const mp = (n: number): string => `${Math.round(n / 1e6)} MP`;
    throw new PasticheError('TOO_LARGE', `Image is ${width}x${height} (${mp(width * height)}), above the ${mp(maxPixels)} limit`);
  }
  const meta: SourceMetadata = {};
  if (md.exif) meta.exif = md.exif;
  if (md.icc) meta.icc = md.icc;
  if (md.xmp) meta.xmp = md.xmpAsString ?? md.xmp.toString('utf8');
  const upright = md.autoOrient ?? { width, height };
  return { format: s.format, width: upright.width, height: upright.height, pages: md.pages ?? 1, hasAlpha: md.hasAlpha, meta };
}

/** Decode to upright 8-bit sRGB at the requested size; alpha kept separately. */
export async function decodeImage(file: string, opts: DecodeOptions): Promise<DecodedImage> {
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const probe = await probeImage(file, maxPixels);
  const warnings: string[] = [];
  if (probe.pages > 1) {
    // Animations and multi-page files: only page 0 is decoded (pages: 1 below); say so.
    const what = probe.format === 'gif' ? 'Animated GIF' : probe.format === 'webp' ? 'Animated WebP' : `Multi-page ${probe.format.toUpperCase()}`;
    const unit = probe.format === 'gif' || probe.format === 'webp' ? 'frames' : 'pages';
    warnings.push(`${what}: only the first of ${probe.pages} ${unit} was stylized`);
  }
  const target = fitLongEdge(probe.width, probe.height, opts.size, opts.allowUpscale ?? false);
  try {
    // failOn 'truncated': tolerate harmless libjpeg warnings but refuse cut-off files.
    // Decoded at full size and resized afterwards, not shrunk on load: JPEG shrink-on-load gives
    // other pixels (mean |diff| 0.5-0.8 at 1024 px) and the generator amplifies them (2.7 on the
    // painting), so an export at one size would not be another size's export reduced. Photos
    // above FULL_DECODE_PIXELS (and `fast` decodes) are reduced while streaming: memory bounded.
    let p = sharp(file, { limitInputPixels: maxPixels, failOn: 'truncated', pages: 1 }).autoOrient();
    const resizing = target.width !== probe.width || target.height !== probe.height;
    if (resizing && (opts.fast || probe.width * probe.height > FULL_DECODE_PIXELS)) p = p.resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' });
    // toColourspace applies the embedded ICC profile (or CMYK default) and reduces 16-bit to 8-bit.
    p = p.toColourspace('srgb');
    p = probe.hasAlpha ? p.ensureAlpha() : p.removeAlpha();
    const { data, info } = await p.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const n = info.width * info.height;
    let rgb: Buffer;
    let alpha: Buffer | null = null;
    if (info.channels === 4) {
      rgb = Buffer.allocUnsafe(n * 3);
      alpha = Buffer.allocUnsafe(n);
      let opaque = 255;
      for (let i = 0, j = 0, k = 0; i < n; i++, j += 4, k += 3) {
        rgb[k] = data[j]!;
        rgb[k + 1] = data[j + 1]!;
        rgb[k + 2] = data[j + 2]!;
        const a = data[j + 3]!;
        alpha[i] = a;
        opaque &= a;
      }
      // Fully opaque alpha is noise: treat as opaque so JPEG/PNG output stays RGB.
      if (opaque === 255) alpha = null;
    } else if (info.channels === 3) {
      rgb = data;
    } else {
      throw new Error(`unexpected ${info.channels} channels after sRGB conversion`);
    }
    if (target.width !== info.width || target.height !== info.height) {
      rgb = await resizeRgb(rgb, info.width, info.height, target.width, target.height);
      if (alpha) alpha = await resizeAlpha(alpha, info.width, info.height, target.width, target.height);
    }
    return { rgb, alpha, width: target.width, height: target.height, sourceWidth: probe.width, sourceHeight: probe.height, format: probe.format, meta: probe.meta, warnings };
  } catch (e) {
    if (e instanceof PasticheError) throw e;
    throw await decodeError(file, probe.format, e);
  }
}

export interface EncodeOptions {
  format: OutputFormat;
  quality: number;
  keepMetadata: boolean;
  stripGps: boolean;
  meta: SourceMetadata;
  /** The recipe, written into the XMP whether or not the photo's metadata is kept. */
  recipe?: Recipe;
}

/** ICC profiles of RGB class can be re-applied; CMYK/gray ones would change the channel layout. */
function isRgbIcc(icc: Buffer): boolean {
  return icc.length >= 20 && icc.toString('latin1', 16, 20) === 'RGB ';
}

let tinyJpeg: Promise<Buffer> | null = null;

/**
 * Encodes interleaved 8-bit pixels (3 or 4 channels). With metadata kept, the EXIF travels on
 * a 1x1 carrier JPEG that is stretched and fully covered by the pixels ('source' blend):
 * sharp has no API to attach a raw EXIF blob to raw pixels.
 */
export async function encodeImage(pixels: Buffer, width: number, height: number, channels: 3 | 4, opts: EncodeOptions): Promise<Buffer> {
  const raw = { width, height, channels } as const;
  let p: Sharp;
  let iccFile: string | null = null;
  const rewrite = { resetOrientation: true, stripGps: opts.stripGps };
  const exif = opts.keepMetadata && opts.meta.exif ? rewriteExif(opts.meta.exif, rewrite) : null;
  // JPEG: the EXIF APP1 segment is spliced into the encoded file afterwards (cheap), so the
  // carrier is only needed for the other formats.
  const spliceExif = exif !== null && opts.format === 'jpg';
  if (exif && opts.format !== 'tiff' && !spliceExif) {
    tinyJpeg ??= sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
      .jpeg()
      .toBuffer();
    const carrier = insertJpegExif(await tinyJpeg, exif);
    p = sharp(carrier)
      .resize(width, height, { fit: 'fill', kernel: 'nearest' })
      .composite([{ input: pixels, raw, blend: 'source' }])
      .keepExif();
    // composite adds an alpha channel; opaque results must stay RGB.
    if (channels === 3) p = p.removeAlpha();
  } else {
    p = sharp(pixels, { raw });
  }
  try {
    let spliceSrgb = false;
    if (opts.keepMetadata) {
      const icc = opts.meta.icc;
      if (icc && isRgbIcc(icc)) {
        // Convert back into the photo's own profile (e.g. Display P3) and embed it.
        iccFile = path.join(os.tmpdir(), `pastiche-icc-${process.pid}-${Math.random().toString(36).slice(2)}.icc`);
        await writeFile(iccFile, icc);
        p = p.withIccProfile(iccFile);
      } else if (opts.format === 'jpg') {
        // The pixels are sRGB already (decoding converted them), so only the tag is wanted:
        // withIccProfile('srgb') would also run an identity colour transform over every pixel
        // (1080p: ~20 ms of CPU, a third of the encode; same bytes out). Spliced below.
        spliceSrgb = true;
      } else {
        p = p.withIccProfile('srgb');
      }
    }
    const xmp = outputXmp(opts.keepMetadata ? opts.meta.xmp : undefined, rewrite, opts.recipe);
    if (xmp) p = p.withXmp(xmp);
    const q = opts.quality;
    switch (opts.format) {
      case 'jpg':
        p = p.jpeg({ quality: q, chromaSubsampling: q >= 90 ? '4:4:4' : '4:2:0' });
        break;
      case 'png':
        p = p.png({ compressionLevel: 6 });
        break;
      case 'webp':
        p = p.webp({ quality: q });
        break;
      case 'avif':
        p = p.avif({ quality: q, effort: 4 });
        break;
      case 'tiff':
        // Lossless so TIFF keeps alpha and stays readable everywhere; quality does not apply.
        p = p.tiff({ compression: 'deflate', predictor: 'horizontal' });
        break;
    }
    let out: Buffer = await p.toBuffer();
    if (spliceSrgb) out = insertAfterJfif(out, jpegIccSegment(await srgbProfile()));
    return spliceExif && exif ? insertAfterJfif(out, exifSegment(exif)) : out;
  } finally {
    if (iccFile) await rm(iccFile, { force: true });
  }
}

/**
 * A marker segment inserted after the JFIF APP0 segment when there is one, else after SOI (where
 * libvips itself puts EXIF and ICC; the EXIF one is inserted last so it comes first).
 */
function insertAfterJfif(jpeg: Buffer, segment: Buffer): Buffer {
  const at = jpeg[2] === 0xff && jpeg[3] === 0xe0 && jpeg.length > 6 ? 4 + jpeg.readUInt16BE(4) : 2;
  return Buffer.concat([jpeg.subarray(0, at), segment, jpeg.subarray(at)]);
}

/** The APP1 segment insertJpegExif adds after SOI. */
function exifSegment(exif: Buffer): Buffer {
  return insertJpegExif(Buffer.from([0xff, 0xd8]), exif).subarray(2);
}

/** An APP2 ICC_PROFILE segment holding a whole (small) profile: chunk 1 of 1. */
export function jpegIccSegment(icc: Buffer): Buffer {
  const tag = Buffer.from('ICC_PROFILE\0\x01\x01', 'latin1');
  const length = 2 + tag.length + icc.length;
  if (length > 0xffff) throw new RangeError('ICC profile too large for one APP2 segment');
  const head = Buffer.from([0xff, 0xe2, 0, 0]);
  head.writeUInt16BE(length, 2);
  return Buffer.concat([head, tag, icc]);
}

let srgbIcc: Promise<Buffer> | null = null;

/** libvips' built-in sRGB profile, byte for byte what withIccProfile('srgb') embeds. */
function srgbProfile(): Promise<Buffer> {
  srgbIcc ??= sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .withIccProfile('srgb')
    .jpeg()
    .toBuffer()
    .then((b) => sharp(b).metadata())
    .then((m) => {
      if (!m.icc) throw new Error("libvips embedded no 'srgb' profile");
      return m.icc;
    });
  return srgbIcc;
}

/** Writes to tmp then renames; on any failure the temp is removed and no partial output exists. */
export async function writeAtomic(finalPath: string, tmpPath: string, data: Uint8Array): Promise<void> {
  try {
    await writeFile(tmpPath, data);
    await rename(tmpPath, finalPath);
  } catch (e) {
    await rm(tmpPath, { force: true }).catch(() => undefined);
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC' || err.code === 'EDQUOT') {
      throw new PasticheError('DISK_FULL', `Disk full while writing ${finalPath}; the batch was stopped (free some space and run again with --skip-existing)`);
    }
    if (err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS') {
      throw new PasticheError('OUTPUT', `Cannot write ${finalPath}: ${err.code === 'EROFS' ? 'read-only file system' : 'permission denied'}`);
    }
    if (err.code === 'ENOENT') throw new PasticheError('OUTPUT', `Output folder ${path.dirname(finalPath)} no longer exists`);
    throw new PasticheError('OUTPUT', `Cannot write ${finalPath}: ${err.message}`);
  }
}

/** Composites RGB over white using alpha (JPEG has no alpha). In place on a copy. */
export function flattenOnWhite(rgb: Buffer, alpha: Buffer): Buffer {
  const out = Buffer.allocUnsafe(rgb.length);
  const n = alpha.length;
  for (let i = 0, k = 0; i < n; i++, k += 3) {
    const a = alpha[i]! / 255;
    const white = 255 * (1 - a);
    // Math.round semantics (values are non-negative).
    out[k] = (rgb[k]! * a + white + 0.5) | 0;
    out[k + 1] = (rgb[k + 1]! * a + white + 0.5) | 0;
    out[k + 2] = (rgb[k + 2]! * a + white + 0.5) | 0;
  }
  return out;
}

export function interleaveAlpha(rgb: Buffer, alpha: Buffer): Buffer {
  const n = alpha.length;
  const out = Buffer.allocUnsafe(n * 4);
  for (let i = 0, j = 0, k = 0; i < n; i++, j += 4, k += 3) {
    out[j] = rgb[k]!;
    out[j + 1] = rgb[k + 1]!;
    out[j + 2] = rgb[k + 2]!;
    out[j + 3] = alpha[i]!;
  }
  return out;
}

/** Downscale raw RGB (for the stats pass and previews of tiled runs). */
export async function resizeRgb(rgb: Buffer, width: number, height: number, toWidth: number, toHeight: number): Promise<Buffer> {
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .resize(toWidth, toHeight, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
}

/** Resize a raw alpha plane (previews of a photo with transparency at another size). */
export async function resizeAlpha(alpha: Buffer, width: number, height: number, toWidth: number, toHeight: number): Promise<Buffer> {
  if (width === toWidth && height === toHeight) return alpha;
  return sharp(alpha, { raw: { width, height, channels: 1 } })
    .resize(toWidth, toHeight, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
}
