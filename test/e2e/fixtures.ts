// Test photos: a few generated with sharp (gradients, shapes), real photos from the
// Kodak set where ../shared/data/eval/kodak exists beside the repo (converted to JPEG,
// no metadata), a subfolder, a corrupt file, a hostile file name, a folder of large
// photos for cancelling a batch, and 5,000 small ones for the virtualized grid.

import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

export const HOSTILE_NAME = '<img src=x onerror=alert(1)>.jpg';

function scene(w: number, h: number, hue: number, seed: number): string {
  const c = (dh: number, s: number, l: number): string => `hsl(${(hue + dh) % 360} ${s}% ${l}%)`;
  const hills = Array.from({ length: 4 }, (_, i) => {
    const y = h * (0.55 + i * 0.1);
    const a = ((seed * (i + 3)) % 7) * 0.04 * h;
    return `<path d="M0 ${y} Q ${w * 0.3} ${y - a - h * 0.1} ${w * 0.6} ${y} T ${w} ${y - a} V ${h} H 0 Z" fill="${c(20 * i + 90, 35, 30 - i * 4)}"/>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${c(0, 60, 45)}"/><stop offset="1" stop-color="${c(40, 70, 80)}"/></linearGradient></defs>
    <rect width="${w}" height="${h}" fill="url(#g)"/>
    <circle cx="${w * (0.2 + (seed % 5) * 0.15)}" cy="${h * 0.28}" r="${Math.min(w, h) * 0.09}" fill="${c(180, 90, 85)}"/>
    ${hills}
    <rect x="${w * 0.45}" y="${h * 0.5}" width="${w * 0.08}" height="${h * 0.2}" fill="${c(200, 40, 25)}"/>
  </svg>`;
}

async function photo(file: string, w: number, h: number, hue: number, seed: number): Promise<void> {
  const img = sharp(Buffer.from(scene(w, h, hue, seed)));
  const ext = path.extname(file).toLowerCase();
  if (ext === '.png') await img.png().toFile(file);
  else if (ext === '.webp') await img.webp({ quality: 85 }).toFile(file);
  else await img.jpeg({ quality: 88 }).toFile(file);
}

/** Kodak photos copied into the test folder when available (varied: faces, colour, detail, portrait). */
export const KODAK_PICKS = ['kodim03', 'kodim05', 'kodim07', 'kodim14', 'kodim19', 'kodim23'] as const;

export interface TestPhotos {
  root: string;
  many: string;
  big: string;
  out: string;
  corrupt: string;
  /** Photos (files with a photo extension) under root, recursively, the corrupt one included. */
  count: number;
  /** File names of the real (Kodak) photos in root; empty where ../shared is absent. */
  real: string[];
}

/** Copy a few Kodak PNGs into `dir` as JPEGs (sharp writes no EXIF unless asked). */
async function copyKodak(kodakDir: string, dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const id of KODAK_PICKS) {
    const src = path.join(kodakDir, `${id}.png`);
    if (!fs.existsSync(src)) continue;
    const name = `${id}.jpg`;
    await sharp(src).jpeg({ quality: 90 }).toFile(path.join(dir, name));
    names.push(name);
  }
  return names;
}

export async function makeTestPhotos(base: string, kodakDir?: string | null): Promise<TestPhotos> {
  const root = path.join(base, 'photos');
  const big = path.join(base, 'big');
  const out = path.join(base, 'out');
  for (const d of [root, path.join(root, 'nested'), big, out]) fs.mkdirSync(d, { recursive: true });
  await photo(path.join(root, '01-lake.jpg'), 1600, 1067, 205, 1);
  await photo(path.join(root, '02-city.png'), 1200, 900, 20, 2);
  await photo(path.join(root, '03-portrait.jpg'), 1000, 1500, 280, 3);
  await photo(path.join(root, HOSTILE_NAME), 800, 600, 120, 4);
  await photo(path.join(root, 'nested', '05-forest.jpg'), 1400, 933, 100, 5);
  await photo(path.join(root, 'nested', '06-dunes.webp'), 1280, 853, 35, 6);
  // A JPEG header followed by garbage: passes the extension filter, fails to decode.
  const corrupt = path.join(root, '04-corrupt.jpg');
  fs.writeFileSync(corrupt, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4096, 0x5a)]));
  await Promise.all(Array.from({ length: 6 }, (_, i) => photo(path.join(big, `big-${i + 1}.jpg`), 3000, 2000, i * 50, i + 7)));
  // 5,000 photos for the virtualized grid (copies of one small JPEG: cheap to make).
  const many = path.join(base, 'many');
  fs.mkdirSync(many);
  const seed = path.join(many, 'photo-00001.jpg');
  await photo(seed, 240, 160, 300, 9);
  for (let i = 2; i <= 5000; i++) fs.copyFileSync(seed, path.join(many, `photo-${String(i).padStart(5, '0')}.jpg`));
  const real = kodakDir && fs.existsSync(kodakDir) ? await copyKodak(kodakDir, root) : [];
  return { root, many, big, out, corrupt, count: 7 + real.length, real };
}
