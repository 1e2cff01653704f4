// The data the style learner reads besides the painting: the VGG19 loss network's weights (the
// learning graphs' external data) and the open training photos. A packaged app ships them as
// resources/trainer-data (staged by scripts/stage-trainer-data.mjs); a checkout reads them from
// ../shared/data, as the Python trainer does. The app and the CLI resolve the folders here, check
// them before learning, and hand the same folders to the worker, so the check and the run agree.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** The folder beside training/ that a packaged app ships the trainer's data in. */
export const TRAINER_DATA_DIR = 'trainer-data';
/** Inside a data folder: the VGG19 weights and the training photos (the layout of ../shared/data). */
export const VGG_SUBDIR = 'vgg19';
export const CONTENT_SUBDIR = path.join('content', 'open');
/** training/core/vgg.py reads only the first 8 weight groups (block1_conv1 .. block3_conv4). */
export const VGG_GROUPS = 8;
/** The photo types training/core/data.py lists (IMAGE_EXT). */
const PHOTO_EXT = /\.(jpe?g|png)$/i;

export type TrainerDataSource = 'PASTICHE_VGG_DIR' | 'PASTICHE_SHARED_DIR' | 'shipped' | 'checkout';

export interface TrainerData {
  /** The data folder: PASTICHE_SHARED_DIR, else <root>/trainer-data where it exists, else ../shared/data beside the checkout. */
  sharedDir: string;
  sharedFrom: Exclude<TrainerDataSource, 'PASTICHE_VGG_DIR'>;
  /** PASTICHE_VGG_DIR, else <sharedDir>/vgg19. */
  vggDir: string;
  vggFrom: TrainerDataSource;
  /** <sharedDir>/content/open (the trainer's --content). */
  contentDir: string;
}

/**
 * Where the trainer rooted at root finds its data, in the trainer's own order (PASTICHE_VGG_DIR,
 * PASTICHE_SHARED_DIR, training/core/paths.py's ../shared/data), with the app's shipped folder
 * before the checkout's default.
 */
export function resolveTrainerData(root: string, env: NodeJS.ProcessEnv = process.env): TrainerData {
  const shipped = path.join(root, TRAINER_DATA_DIR);
  let sharedDir: string;
  let sharedFrom: TrainerData['sharedFrom'];
  if (env['PASTICHE_SHARED_DIR']) {
    sharedDir = path.resolve(env['PASTICHE_SHARED_DIR']);
    sharedFrom = 'PASTICHE_SHARED_DIR';
  } else if (existsSync(shipped)) {
    sharedDir = shipped;
    sharedFrom = 'shipped';
  } else {
    sharedDir = path.resolve(root, '..', 'shared', 'data');
    sharedFrom = 'checkout';
  }
  const vggEnv = env['PASTICHE_VGG_DIR'];
  return {
    sharedDir,
    sharedFrom,
    vggDir: vggEnv ? path.resolve(vggEnv) : path.join(sharedDir, VGG_SUBDIR),
    vggFrom: vggEnv ? 'PASTICHE_VGG_DIR' : sharedFrom,
    contentDir: path.join(sharedDir, CONTENT_SUBDIR),
  };
}

interface WeightsGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype?: string }[];
}

/** What is wrong with the VGG19 weights in dir (model.json and the shards of groups 1-8), or null. */
export async function vggProblem(dir: string): Promise<string | null> {
  const file = path.join(dir, 'model.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return `${file} is missing`;
  }
  let groups: WeightsGroup[];
  try {
    const m = JSON.parse(text) as { weightsManifest?: unknown };
    if (!Array.isArray(m.weightsManifest)) return `${file} has no weightsManifest`;
    groups = m.weightsManifest as WeightsGroup[];
  } catch (e) {
    return `${file} is not valid JSON (${(e as Error).message})`;
  }
  if (groups.length < VGG_GROUPS) return `${file} lists ${groups.length} weight group${groups.length === 1 ? '' : 's'}, expected at least ${VGG_GROUPS}`;
  const absent: string[] = [];
  for (const [i, g] of groups.slice(0, VGG_GROUPS).entries()) {
    if (!Array.isArray(g?.paths) || !Array.isArray(g?.weights)) return `${file}: weight group ${i + 1} has no paths or weights`;
    const sizes = await Promise.all(
      g.paths.map((p) =>
        stat(path.join(dir, p)).then(
          (s) => (s.isFile() ? s.size : null),
          () => null,
        ),
      ),
    );
    const gone = g.paths.filter((_, k) => sizes[k] === null);
    if (gone.length > 0) {
      absent.push(...gone);
      continue;
    }
    const expected = g.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    const actual = sizes.reduce<number>((n, s) => n + (s ?? 0), 0);
    if (actual !== expected) return `${g.paths.map((p) => path.join(dir, p)).join(', ')} hold ${actual} bytes, expected ${expected} for ${g.weights.map((w) => w.name).join(', ')}`;
  }
  if (absent.length > 0) return `${dir} lacks ${absent.length === 1 ? 'the shard' : 'the shards'} ${absent.join(', ')} named in model.json`;
  return null;
}

/** What is wrong with the training photos in dir, or null. */
export async function photosProblem(dir: string): Promise<string | null> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return `${dir} does not exist`;
  }
  return names.some((n) => PHOTO_EXT.test(n)) ? null : `${dir} holds no .jpg, .jpeg or .png photos`;
}

function whereFrom(from: TrainerDataSource, root: string): string {
  if (from === 'PASTICHE_VGG_DIR' || from === 'PASTICHE_SHARED_DIR') return `set by ${from}`;
  if (from === 'shipped') return 'shipped with the app';
  return `the default beside the checkout, as ${path.join(root, TRAINER_DATA_DIR)} does not exist`;
}

export interface TrainerDataCheck {
  /** 'vgg19' (the loss network's weights), 'training-photos'. */
  missing: string[];
  /** One sentence per missing part: what, where it looked (the path and why there), and how to fix it. */
  messages: string[];
}

/** Whether the trainer's data is complete, and what is missing and where it looked if not. */
export async function checkTrainerData(d: TrainerData, root: string): Promise<TrainerDataCheck> {
  const [vgg, photos] = await Promise.all([vggProblem(d.vggDir), photosProblem(d.contentDir)]);
  const out: TrainerDataCheck = { missing: [], messages: [] };
  if (vgg) {
    out.missing.push('vgg19');
    out.messages.push(
      `Learning a style needs the VGG19 loss-network weights: ${vgg} (${whereFrom(d.vggFrom, root)}). Set PASTICHE_VGG_DIR to the folder holding model.json and its shards, or PASTICHE_SHARED_DIR to one holding ${VGG_SUBDIR}/ and ${CONTENT_SUBDIR}/`,
    );
  }
  if (photos) {
    out.missing.push('training-photos');
    out.messages.push(
      `Learning a style needs training photos: ${photos} (${whereFrom(d.sharedFrom, root)}). Set PASTICHE_SHARED_DIR to a folder holding ${CONTENT_SUBDIR}/ with the photos and ${VGG_SUBDIR}/`,
    );
  }
  return out;
}
