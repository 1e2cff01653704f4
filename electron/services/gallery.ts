// Gallery: list the photos of a folder (optionally recursive) or of loose files.
// Only names and stat data: decoding happens lazily (thumbnails, previews).

import fs from 'node:fs/promises';
import path from 'node:path';
import type { GalleryFolder, PhotoEntry } from '../common/ipc-contract.js';
import { compareNames } from '../common/photo-order.js';

export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff', '.avif', '.heic', '.heif', '.gif']);
export const MAX_PHOTOS = 20_000;

export function isPhotoName(name: string): boolean {
  return PHOTO_EXTENSIONS.has(path.extname(name).toLowerCase()) && !name.startsWith('.');
}

export async function scanFolder(root: string, recursive: boolean, limit = MAX_PHOTOS): Promise<GalleryFolder> {
  const photos: PhotoEntry[] = [];
  let truncated = false;
  // Breadth-first over directories; symlinked folders are not followed (they could loop or escape the root).
  const queue: string[] = [root];
  while (queue.length > 0 && !truncated) {
    const dir = queue.shift()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable subfolder: skip, the rest of the gallery is still useful
    }
    entries.sort((a, b) => compareNames(a.name, b.name));
    const subdirs: string[] = [];
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (recursive && !e.name.startsWith('.')) subdirs.push(full);
      } else if (e.isFile() && isPhotoName(e.name)) {
        if (photos.length >= limit) {
          truncated = true;
          break;
        }
        const entry = await statEntry(full, root);
        if (entry) photos.push(entry);
      }
    }
    queue.unshift(...subdirs);
  }
  return { root, photos, truncated };
}

async function statEntry(full: string, root: string | null): Promise<PhotoEntry | null> {
  try {
    const st = await fs.stat(full);
    const rel = root ? path.relative(root, full).split(path.sep).join('/') : path.basename(full);
    return { path: full, name: path.basename(full), rel, bytes: st.size, mtimeMs: Math.round(st.mtimeMs) };
  } catch {
    return null;
  }
}

/** Loose files (dialog multi-select or drop). Non-photos are ignored. */
export async function listFiles(files: string[]): Promise<GalleryFolder> {
  const photos: PhotoEntry[] = [];
  for (const f of files) {
    if (!isPhotoName(path.basename(f))) continue;
    const e = await statEntry(f, null);
    if (e) photos.push(e);
  }
  return { root: null, photos, truncated: false };
}
