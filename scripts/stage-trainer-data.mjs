// Stages the style trainer's data for packaging: the VGG19 loss network's weights (blocks 1-3, with
// their licence) and the open training photos (with their licence and attribution files), copied
// from the shared data folder into dist/trainer-data, which electron-builder ships as
// resources/trainer-data. Held-out evaluation photos (Kodak, high-res) and the research-only
// photos stay out. Everything is checked before anything is written; a failed run leaves the
// previous staging as it was.
//
//   node scripts/stage-trainer-data.mjs [--from DIR] [--out DIR]
//   (npm run stage:trainer-data; npm run dist runs it before electron-builder)
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where the staged folder goes (git-ignored with the rest of dist/). */
export const DEFAULT_OUT = path.join('dist', 'trainer-data');
/** training/core/vgg.py reads the first 8 weight groups: block1_conv1 .. block3_conv4. */
export const VGG_GROUPS = 8;
/**
 * Fewer open photos than this is a broken copy, not the set the trainer's defaults were measured
 * on (69 photos, docs/styles.md).
 */
export const MIN_PHOTOS = 50;
const PHOTO_EXT = /\.(jpe?g|png)$/i;
const OPEN = 'content/open';

export class StageError extends Error {}

/** The data folder to stage from: PASTICHE_SHARED_DIR, else ../shared/data beside the checkout. */
export function defaultDataDir(env = process.env) {
  return env.PASTICHE_SHARED_DIR
    ? { dir: path.resolve(env.PASTICHE_SHARED_DIR), origin: 'PASTICHE_SHARED_DIR' }
    : { dir: path.resolve(root, '..', 'shared', 'data'), origin: 'the default, ../shared/data beside the checkout' };
}

function sha256(file) {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function readJson(file, what) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new StageError(`${file} is missing (${what})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new StageError(`${file} is not valid JSON (${e.message})`);
  }
}

function isFile(file) {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/** The files of vgg19/ to ship: model.json, LICENSE and the shards of groups 1-8, each checked. */
function vggFiles(dir) {
  const model = path.join(dir, 'model.json');
  const m = readJson(model, 'the VGG19 weights manifest');
  if (!Array.isArray(m.weightsManifest) || m.weightsManifest.length < VGG_GROUPS)
    throw new StageError(`${model} lists ${m.weightsManifest?.length ?? 'no'} weight groups, expected at least ${VGG_GROUPS}`);
  const files = ['model.json'];
  for (const [i, g] of m.weightsManifest.slice(0, VGG_GROUPS).entries()) {
    if (!Array.isArray(g?.paths) || !Array.isArray(g?.weights)) throw new StageError(`${model}: weight group ${i + 1} has no paths or weights`);
    let bytes = 0;
    for (const p of g.paths) {
      const f = path.join(dir, p);
      if (!isFile(f)) throw new StageError(`${f} is missing (a shard of weight group ${i + 1} in ${model})`);
      bytes += fs.statSync(f).size;
    }
    const expected = g.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    if (bytes !== expected) throw new StageError(`${g.paths.map((p) => path.join(dir, p)).join(', ')} hold ${bytes} bytes, expected ${expected} for ${g.weights.map((w) => w.name).join(', ')}`);
    files.push(...g.paths);
  }
  if (!isFile(path.join(dir, 'LICENSE'))) throw new StageError(`${path.join(dir, 'LICENSE')} is missing (the VGG19 weights' licence must ship with them)`);
  files.push('LICENSE');
  return files;
}

/** `content/open/NAME` references in a licence text (NAME may hold `*`), as regular expressions over file names. */
function attributionRefs(licence) {
  return [...licence.matchAll(/content\/open\/([^\s,;()]+)/g)].map((m) => ({
    ref: m[0],
    re: new RegExp(`^${m[1].replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`),
  }));
}

/**
 * The open photos and the attribution files their licences point to: each photo listed in
 * content/photos.json with its licence and sha256, each photo of the folder listed there.
 */
function photoFiles(dataDir) {
  const listFile = path.join(dataDir, 'content', 'photos.json');
  const list = readJson(listFile, 'the list of training photos with their licences');
  if (!Array.isArray(list)) throw new StageError(`${listFile}: expected a list of photos`);
  const rows = list.filter((r) => r?.set === 'open');
  if (rows.length < MIN_PHOTOS) throw new StageError(`${listFile} lists ${rows.length} open photos, expected at least ${MIN_PHOTOS}`);
  const dir = path.join(dataDir, ...OPEN.split('/'));
  let names;
  try {
    names = fs.readdirSync(dir).filter((n) => isFile(path.join(dir, n)));
  } catch {
    throw new StageError(`${dir} does not exist (the open training photos)`);
  }
  const photos = [];
  for (const r of rows) {
    const name = typeof r.file === 'string' && r.file.startsWith(`${OPEN}/`) ? r.file.slice(OPEN.length + 1) : null;
    if (!name || name.includes('/')) throw new StageError(`${listFile}: expected a file in ${OPEN}/ for an open photo but received ${JSON.stringify(r.file)}`);
    if (typeof r.licence !== 'string' || !r.licence.trim()) throw new StageError(`${listFile}: ${r.file} has no licence`);
    const f = path.join(dir, name);
    if (!isFile(f)) throw new StageError(`${f} is missing (listed in ${listFile})`);
    if (sha256(f) !== r.sha256) throw new StageError(`${f} does not match its sha256 in ${listFile}`);
    photos.push(name);
  }
  const listed = new Set(photos);
  const unlisted = names.filter((n) => PHOTO_EXT.test(n) && !listed.has(n));
  if (unlisted.length > 0) throw new StageError(`${path.join(dir, unlisted[0])} is not in ${listFile}: its licence is unknown${unlisted.length > 1 ? ` (and ${unlisted.length - 1} more)` : ''}`);
  const attribution = new Set();
  for (const r of rows)
    for (const { ref, re } of attributionRefs(r.licence)) {
      const found = names.filter((n) => re.test(n));
      if (found.length === 0) throw new StageError(`${listFile}: the licence of ${r.file} points to ${ref}, which is not in ${dir}`);
      for (const n of found) attribution.add(n);
    }
  if (attribution.size === 0) throw new StageError(`${listFile}: no open photo's licence names an attribution file in ${OPEN}/`);
  return { photos, attribution: [...attribution].sort(), rows };
}

function notice(p, vgg) {
  return [
    '# Style trainer data',
    '',
    'What "Add painting as a style…" trains with (training/styles/learn.py reads it through',
    'PASTICHE_SHARED_DIR and PASTICHE_VGG_DIR). Staged by scripts/stage-trainer-data.mjs.',
    '',
    `- vgg19/: the VGG19 loss network's weights, blocks 1-3 (${vgg.length - 2} shards; model.json lists`,
    '  the whole network, only its first 8 weight groups are here). Keras VGG19 ImageNet weights',
    '  (the original weights by Simonyan & Zisserman, CC BY 4.0) in TensorFlow.js format; licence',
    '  of the conversion: vgg19/LICENSE (MIT, David Cai).',
    `- content/open/: ${p.photos.length} training photos under open licences. content/photos.json gives`,
    "  each photo's licence, origin and sha256; the attribution files it points to are beside the",
    `  photos: ${p.attribution.join(', ')}.`,
    '',
  ].join('\n');
}

/**
 * Checks the data in from, then replaces out with: vgg19/ (model.json, shards, LICENSE),
 * content/open/ (photos and attribution files), content/photos.json (the open rows) and NOTICE.md.
 */
export function stageTrainerData({ from, out, origin = 'given' }) {
  if (!fs.statSync(from, { throwIfNoEntry: false })?.isDirectory()) {
    throw new StageError(`No trainer data to stage: ${from} (${origin}) does not exist. Set PASTICHE_SHARED_DIR to the folder holding vgg19/ and content/open/ (or pass --from DIR)`);
  }
  let vgg, p;
  try {
    vgg = vggFiles(path.join(from, 'vgg19'));
    p = photoFiles(from);
  } catch (e) {
    if (e instanceof StageError) throw new StageError(`Cannot stage the trainer data from ${from} (${origin}): ${e.message}. Set PASTICHE_SHARED_DIR to a complete data folder (or pass --from DIR)`);
    throw e;
  }
  const work = `${out}.staging-${process.pid}`;
  fs.rmSync(work, { recursive: true, force: true });
  try {
    const copy = (rel) => {
      const dst = path.join(work, rel);
      fs.mkdirSync(path.dirname(dst), { recursive: true });
      fs.copyFileSync(path.join(from, rel), dst);
      // Sources may be read-only; the staged copy is rewritten by the next run.
      fs.chmodSync(dst, 0o644);
      return fs.statSync(dst).size;
    };
    const vggBytes = vgg.reduce((n, f) => n + copy(path.join('vgg19', f)), 0);
    const photoBytes = p.photos.reduce((n, f) => n + copy(path.join(...OPEN.split('/'), f)), 0);
    for (const f of p.attribution) copy(path.join(...OPEN.split('/'), f));
    fs.writeFileSync(path.join(work, 'content', 'photos.json'), `${JSON.stringify(p.rows, null, 1)}\n`);
    fs.writeFileSync(path.join(work, 'NOTICE.md'), notice(p, vgg));
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.renameSync(work, out);
    return { out, photos: p.photos.length, photoBytes, attribution: p.attribution, vggFiles: vgg.length, vggBytes };
  } catch (e) {
    fs.rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

function mb(n) {
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function main() {
  const { values } = parseArgs({ options: { from: { type: 'string' }, out: { type: 'string' } } });
  const src = values.from ? { dir: path.resolve(values.from), origin: '--from' } : defaultDataDir();
  const out = path.resolve(values.out ?? path.join(root, DEFAULT_OUT));
  try {
    const r = stageTrainerData({ from: src.dir, out, origin: src.origin });
    console.log(`trainer data: ${r.photos} photos (${mb(r.photoBytes)}) and the VGG19 weights (${r.vggFiles} files, ${mb(r.vggBytes)}) from ${src.dir} staged in ${r.out}`);
  } catch (e) {
    if (!(e instanceof StageError)) throw e;
    console.error(`stage-trainer-data: ${e.message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
