// Learning a new style from a painting on the engine's own runtime: the learning graphs run in the
// supervised worker (electron/worker/learn-job.ts), and this side checks what they need, makes the
// job and writes the style file. Nothing is written until the run completes: the file appears whole
// (a temporary file linked into place, never over an existing one) or not at all.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PasticheError } from '../common/errors.js';
import { externalDataRefs } from '../common/onnx-external.js';
import type { LearnInfo, LearnStyleOptions, ModelFileRef } from '../common/types.js';
import type { LearnGraphRef, LearnResult } from '../common/worker-protocol.js';
import { fileSha256 } from '../catalog/manifest.js';
import { parseStyleFile, STYLE_FORMAT, STYLE_VERSION, styleFileText, type StyleFile } from '../catalog/style-files.js';
import type { LearnTarget } from '../catalog/user-styles.js';
import { packageRoot } from '../engine/paths.js';
import { checkTrainerData, resolveTrainerData } from './trainer-data.js';

/** The licence written for a painting whose rights the user did not state. */
const UNKNOWN_LICENCE = "unknown (the painting's rights are for its user to check)";

export type LearnRuntime = { ok: true } | { ok: false; missing: string[]; message: string };

/** The learning graphs of a pack, as the worker gets them. */
export function learnGraphs(modelsDir: string, learn: LearnInfo): { graph: LearnGraphRef; grams: LearnGraphRef } {
  const ref = (r: LearnInfo['graph']): LearnGraphRef => ({ path: path.join(modelsDir, r.file), sha256: r.sha256, bytes: r.bytes });
  return { graph: ref(learn.graph), grams: ref(learn.grams) };
}

/**
 * What is wrong with one learning graph (present, its sha256, the VGG shards it reads), or null.
 * vggDir null: the VGG19 folder is already reported missing, so its shards are not named again.
 * Hashes are the catalog's (cached by path, size and mtime): the two graphs read the same shards,
 * and the app asks again each time its dialog opens.
 */
async function graphProblem(g: LearnGraphRef, vggDir: string | null, shards: readonly ModelFileRef[]): Promise<string | null> {
  const bytes = await readFile(g.path).catch(() => null);
  if (!bytes) return `${g.path} is missing`;
  const sha = (await fileSha256(g.path))?.sha256 ?? '';
  if (sha !== g.sha256) return `${g.path} hashes to ${sha.slice(0, 12)}…, not the manifest's ${g.sha256.slice(0, 12)}… (a changed or partial file)`;
  if (vggDir === null) return null;
  for (const r of externalDataRefs(bytes)) {
    const src = path.join(vggDir, path.basename(r.location));
    const shard = shards.find((s) => s.file === r.location);
    if (!shard) return `${r.location} (read by ${path.basename(g.path)}) is not among the manifest's learn.vgg files`;
    const got = await fileSha256(src);
    if (!got) return `${src} (read by ${path.basename(g.path)} as ${r.location}) is missing`;
    if (got.size < r.end) return `${src} holds ${got.size} bytes, expected at least ${r.end} (read by ${path.basename(g.path)})`;
    if (got.sha256 !== shard.sha256) return `${src} hashes to ${got.sha256.slice(0, 12)}…, not the manifest's ${shard.sha256.slice(0, 12)}… (a changed or different file)`;
  }
  return null;
}

/**
 * Whether a style can be learned here: the pack's learning graphs (present, matching their sha256),
 * the VGG19 weights and the training photos. What is missing, and where it looked, if not.
 */
export async function checkLearnRuntime(modelsDir: string, learn: LearnInfo | null, root = packageRoot(), env: NodeJS.ProcessEnv = process.env): Promise<LearnRuntime> {
  if (!learn?.graph?.file || !learn.grams?.file)
    return { ok: false, missing: ['learning-graphs'], message: `The model pack in ${modelsDir} has no learning graphs (no 'learn' entry in its manifest)` };
  const data = resolveTrainerData(root, env);
  const g = learnGraphs(modelsDir, learn);
  const d = await checkTrainerData(data, root);
  const vggDir = d.missing.includes('vgg19') ? null : data.vggDir;
  // One after the other: the second graph's shards are then the hash cache's.
  const a = await graphProblem(g.graph, vggDir, learn.vgg);
  const b = await graphProblem(g.grams, vggDir, learn.vgg);
  const missing = [...(a || b ? ['learning-graphs'] : []), ...d.missing];
  if (missing.length === 0) return { ok: true };
  const graphLines = [a, b].filter((x): x is string => x !== null).map((x) => `Learning a style needs the pack's learning graphs: ${x}`);
  return { ok: false, missing, message: [...graphLines, ...d.messages].join('\n') };
}

/** Default cache of materialized learning graphs: per user, in the system's temp folder. */
export function defaultLearnCache(): string {
  return path.join(os.tmpdir(), `pastiche-learn-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
}

/** The style file's document (training/styles/vector.py style_document's fields and order). */
export function learnedStyleDoc(o: LearnStyleOptions & LearnTarget, r: LearnResult, paintingSha: string, learn: LearnInfo): Record<string, unknown> {
  return {
    format: STYLE_FORMAT,
    version: STYLE_VERSION,
    id: o.id,
    title: o.title || path.parse(o.painting).name,
    artist: o.artist || 'unknown',
    year: '',
    source: path.basename(o.painting),
    sourceSha256: paintingSha,
    licence: UNKNOWN_LICENCE,
    provenance: {
      method: "the engine's learner (electron/worker/learn-job.ts): the pack's generator frozen, only this style's instance-norm scale/shift trained through the learning graphs",
      paintingSha256: paintingSha,
      init: r.init,
      steps: r.steps,
      crops: r.steps * learn.batch,
      trainSeconds: Math.round(r.trainSeconds * 10) / 10,
      wallSeconds: Math.round(r.wallSeconds * 10) / 10,
      provider: r.provider,
      settings: {
        crop: learn.crop,
        batch: learn.batch,
        lr: learn.lr,
        lrDecay: `linear over the last ${learn.lrDecay.lastFraction * 100}%`,
        lossWeights: learn.lossWeights,
        styleSize: learn.styleSize,
        scales: learn.scales,
      },
      content: { folder: 'open', photos: r.photos },
    },
    quality: null,
    pack: { id: o.pack.id, fingerprint: o.pack.fingerprint, vectorSize: o.pack.vectorSize },
  };
}

/**
 * The engine's StyleLearner: learns the style in the worker and installs it as
 * <userStylesDir>/<id>.json (never over an existing file). Throws PasticheError: CANCELLED when the
 * signal aborts it, else why it could not learn.
 */
export async function addStyle(o: LearnStyleOptions & LearnTarget): Promise<StyleFile> {
  const target = path.join(o.userStylesDir, `${o.id}.json`);
  if (existsSync(target)) throw new PasticheError('INVALID_PARAM', `A style file for '${o.id}' already exists: ${target}`);
  const root = o.dataRoot ?? packageRoot();
  const rt = await checkLearnRuntime(o.modelsDir, o.learn, root);
  if (!rt.ok || !o.learn) throw new PasticheError('MODEL', rt.ok ? 'No learning graphs' : rt.message);
  const learn = o.learn;
  const paintingBytes = await readFile(o.painting).catch((e: NodeJS.ErrnoException) => {
    throw new PasticheError('INVALID_PARAM', `Expected a painting image file but cannot read ${o.painting} (${e.code ?? e.message})`);
  });
  const data = resolveTrainerData(root);
  const r = await o.runJob(
    {
      ...learnGraphs(o.modelsDir, learn),
      vggDir: data.vggDir,
      contentDir: data.contentDir,
      cacheDir: o.cacheDir ?? defaultLearnCache(),
      painting: o.painting,
      settings: learn,
      builtins: o.builtins,
      minutes: o.steps ? 0 : o.minutes,
      steps: o.steps ?? 0,
      seed: o.seed ?? 0,
      blendS: o.blendS ?? 0,
    },
    {
      signal: o.signal,
      onEvent: (e) => {
        if (e.kind === 'progress') o.onProgress?.(e.progress);
        if (e.kind === 'preview') o.onPreview?.(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength), e.mime);
      },
    },
  );
  const vector = Float32Array.from(r.vector);
  const doc = learnedStyleDoc(o, r, createHash('sha256').update(paintingBytes).digest('hex'), learn);
  const text = styleFileText(doc, vector);
  const style = parseStyleFile(text, target, 'user', [o.pack]);
  await mkdir(o.userStylesDir, { recursive: true });
  // A dot-name that is not .json is never read as a style; link() refuses an existing target.
  const tmp = path.join(o.userStylesDir, `.${o.id}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o644 });
    await link(tmp, target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new PasticheError('INVALID_PARAM', `A style file for '${o.id}' already exists: ${target}`);
    throw e;
  } finally {
    await rm(tmp, { force: true });
  }
  return style;
}
