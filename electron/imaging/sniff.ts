// Identifies an image by its magic bytes, before sharp sees it. sharp/libvips would happily
// rasterize SVG (and PDF where built with poppler) whatever the file is called, so the
// extension is never trusted.

export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'avif' | 'gif' | 'heic';

export type SniffResult = { ok: true; format: SniffedFormat } | { ok: false; reason: string };

/** Bytes needed by sniff(); reading more is harmless. */
export const SNIFF_BYTES = 512;

function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, end));
}

const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

export function sniff(b: Uint8Array): SniffResult {
  if (b.length === 0) return { ok: false, reason: 'File is empty (0 bytes)' };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return { ok: true, format: 'jpeg' };
  if (b.length >= 8 && ascii(b, 1, 4) === 'PNG' && b[0] === 0x89 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) {
    return { ok: true, format: 'png' };
  }
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) return { ok: true, format: 'gif' };
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { ok: true, format: 'webp' };
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && (b[2] === 0x2a || b[2] === 0x2b) && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && (b[3] === 0x2a || b[3] === 0x2b)))) {
    return { ok: true, format: 'tiff' };
  }
  if (b.length >= 12 && ascii(b, 4, 8) === 'ftyp') {
    const boxSize = ((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0);
    const brands = [ascii(b, 8, 12)];
    // Compatible brands follow the minor version; AVIF files often use major brand 'mif1'.
    for (let o = 16; o + 4 <= Math.min(boxSize, b.length); o += 4) brands.push(ascii(b, o, o + 4));
    if (brands.includes('avif') || brands.includes('avis')) return { ok: true, format: 'avif' };
    if (brands.some((x) => HEIC_BRANDS.has(x))) return { ok: true, format: 'heic' };
    return { ok: false, reason: `Unsupported ISO media file (brand '${brands[0]}'), not a photo format Pastiche reads` };
  }
  if (b.length >= 4 && ascii(b, 0, 4) === '%PDF') return { ok: false, reason: 'PDF documents are not supported, only photos (JPEG, PNG, WebP, TIFF, AVIF, GIF)' };
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(b.subarray(0, SNIFF_BYTES))
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg')) || head.startsWith('<!doctype svg')) {
    return { ok: false, reason: 'SVG images are not supported, only photos (JPEG, PNG, WebP, TIFF, AVIF, GIF)' };
  }
  if (head.startsWith('<')) return { ok: false, reason: 'Text/markup file, not an image' };
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return { ok: false, reason: 'Compressed (gzip) file, not an image' };
  if (b.length >= 2 && ascii(b, 0, 2) === 'BM') return { ok: false, reason: 'BMP images are not supported; convert to PNG or JPEG' };
  if (b.length >= 4 && ascii(b, 0, 4) === '8BPS') return { ok: false, reason: 'Photoshop PSD files are not supported; export to TIFF, PNG or JPEG' };
  return { ok: false, reason: 'Not a recognised image (expected JPEG, PNG, WebP, TIFF, AVIF or GIF)' };
}
