// Trainer data for tests of the real learner: the shared VGG19 weights and a few of the open
// training photos, linked into a folder of their own so that a run decodes 4 photos, not all.
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT, tmpDir } from '../engine/helpers.js';

export const SHARED = process.env['PASTICHE_SHARED_DIR'] ? path.resolve(process.env['PASTICHE_SHARED_DIR']) : path.resolve(ROOT, '..', 'shared', 'data');

/** Whether the real trainer data is here (a fresh root without ../shared skips the learner's runs). */
export const HAVE_DATA = existsSync(path.join(SHARED, 'vgg19', 'model.json')) && existsSync(path.join(SHARED, 'content', 'open'));

/** A PASTICHE_SHARED_DIR holding the real vgg19/ and `photos` of the open photos. */
export function smallSharedDir(photos = 4): string {
  const d = tmpDir('pastiche-learn-data-');
  symlinkSync(path.join(SHARED, 'vgg19'), path.join(d, 'vgg19'));
  const open = path.join(d, 'content', 'open');
  mkdirSync(open, { recursive: true });
  const src = path.join(SHARED, 'content', 'open');
  for (const n of readdirSync(src)
    .filter((x) => /\.(jpe?g|png)$/i.test(x))
    .sort()
    .slice(0, photos))
    symlinkSync(path.join(src, n), path.join(open, n));
  return d;
}

/** A PATH holding node alone: no python on it. */
export function pathWithoutPython(): string {
  const d = tmpDir('pastiche-path-');
  symlinkSync(process.execPath, path.join(d, 'node'));
  return d;
}
