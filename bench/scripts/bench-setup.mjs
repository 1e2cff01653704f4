// What the photo benches share: their command line (an optional photo, then `--name value`
// options) and the photo itself, scaled to the size a bench measures.
import path from 'node:path';
import sharp from 'sharp';

/** The command line: `args`, `opt(name, default)` for `--name value`, and the photo `src`. */
export function benchArgs(argv = process.argv.slice(2)) {
  const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  // Default: a highres eval photo (run from the repository root, beside ../shared).
  const src = argv[0] && !argv[0].startsWith('--') ? argv[0] : path.resolve('../shared/data/eval/highres/Dragonfly_by_Bolly.jpg');
  return { args: argv, opt, src };
}

/** Writes `src`, upright and scaled to about `mp` megapixels, as a JPEG to `file`; returns `file`. */
export async function scalePhoto(src, mp, file) {
  const meta = await sharp(src).metadata();
  const k = Math.sqrt((mp * 1e6) / ((meta.width ?? 1) * (meta.height ?? 1)));
  await sharp(src)
    .rotate()
    .resize(Math.round((meta.width ?? 1) * k), null, { kernel: 'lanczos3' })
    .jpeg({ quality: 92 })
    .toFile(file);
  return file;
}
