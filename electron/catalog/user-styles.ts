// The user's own styles: checks of a new style's id and metadata, rename and removal, and what a
// learner (electron/learning) is given to add one. Built-in styles are never changed: only files
// of the user's styles folder are written or deleted.
import { readFile, rm } from 'node:fs/promises';
import { PasticheError } from '../common/errors.js';
import { ParamError } from '../common/params.js';
import { checkTitle } from '../common/style-meta.js';
import type { LearnInfo, LearnStyleOptions, StyleInfo } from '../common/types.js';
import type { LearnEvent, LearnJob, LearnResult } from '../common/worker-protocol.js';
import type { LoadedManifest } from './manifest.js';
import { parseStyleFile, styleFileText, writeFileAtomic, type PackRef, type StyleFile } from './style-files.js';

/** The pack a new style is learned for: the first vector-input model. */
export function learnablePack(m: LoadedManifest): PackRef | null {
  const model = m.models.find((x) => x.info.io.styleVector && x.info.pack);
  if (!model) return null;
  return { id: model.info.id, fingerprint: model.info.pack?.fingerprint ?? '', vectorSize: model.info.io.styleVectorSize ?? 0 };
}

/** Refuses an id a style already has (built-in or the user's). */
export function checkNewStyleId(m: LoadedManifest, id: string, name = 'id'): void {
  const s = m.styles.find((x) => x.id === id);
  if (s?.source === 'builtin') throw new ParamError(name, `Style '${id}' is a built-in style; choose another ${name}`);
  if (s) throw new ParamError(name, `You already have a style '${id}' (${m.styleFiles.get(id)?.file ?? ''}); remove it first or choose another ${name}`);
}

/** The user's style file of this id; a clear error for a built-in or unknown one. */
export function userStyleFile(m: LoadedManifest, id: string, action: string): StyleFile {
  const s = m.styles.find((x) => x.id === id);
  if (s && s.source === 'builtin') throw new ParamError('style', `Style '${id}' is built in and cannot be ${action}; only your own styles can`);
  const f = m.styleFiles.get(id);
  if (!s || !f) {
    const mine = m.styles.filter((x) => x.source === 'user').map((x) => x.id);
    throw new ParamError('style', `Unknown style '${id}' (your styles: ${mine.length ? mine.join(', ') : 'none'})`);
  }
  return f;
}

/** Rewrites the style file with a new title (whole file or nothing). */
export async function renameUserStyle(m: LoadedManifest, id: string, title: string): Promise<void> {
  const f = userStyleFile(m, id, 'renamed');
  const t = checkTitle(title);
  // Read again: the file as it is now, checked, keeps every other field and the vector's bits.
  const cur = parseStyleFile(await readFile(f.file, 'utf8'), f.file, 'user', [f.pack]);
  await writeFileAtomic(f.file, styleFileText({ ...cur.doc, title: t }, cur.vector));
}

export async function removeUserStyle(m: LoadedManifest, id: string): Promise<void> {
  const f = userStyleFile(m, id, 'removed');
  await rm(f.file);
}

/** A learning job as the learner makes it; the engine adds its device, threads and the preview. */
export type LearnJobBase = Omit<LearnJob, 'device' | 'threads' | 'preview'>;

export interface LearnJobOptions {
  signal?: AbortSignal | undefined;
  onEvent?(e: LearnEvent): void;
}

/** Where a learned style goes and what it is learned with: the learnable pack of a models folder. */
export interface LearnTarget {
  userStylesDir: string;
  modelsDir: string;
  pack: PackRef;
  /** The pack's learning graphs and settings (the manifest's `learn`), or null where it has none. */
  learn: LearnInfo | null;
  /** The pack's built-in styles: where learning starts. */
  builtins: { id: string; vector: number[] }[];
  /** Runs a learning job in the engine's worker. */
  runJob(job: LearnJobBase, opts: LearnJobOptions): Promise<LearnResult>;
}

/** Writes a new style file into the target (electron/learning/style-learner.ts: addStyle). */
export type StyleLearner = (o: LearnStyleOptions & LearnTarget) => Promise<unknown>;

/** Runs the learner for a new style of the learnable pack into userStylesDir. */
export async function learnUserStyle(m: LoadedManifest, modelsDir: string, userStylesDir: string | null, o: LearnStyleOptions, learn: StyleLearner, runJob: LearnTarget['runJob']): Promise<void> {
  const pack = learnablePack(m);
  if (!pack) throw new PasticheError('MODEL', `No model in ${modelsDir} takes style vectors, so no style can be learned`);
  if (!userStylesDir) throw new PasticheError('INVALID_PARAM', 'No user styles folder is set');
  checkNewStyleId(m, o.id);
  const info = m.models.find((x) => x.info.id === pack.id)?.info.learn ?? null;
  const builtins = [...m.styleFiles.values()].filter((f) => f.source === 'builtin' && f.pack.id === pack.id).map((f) => ({ id: f.info.id, vector: Array.from(f.vector) }));
  await learn({ ...o, userStylesDir, modelsDir, pack, learn: info, builtins, runJob });
}

/** The style just added, as loaded (or why its file was refused). */
export function loadedUserStyle(m: LoadedManifest, id: string): StyleInfo {
  const s = m.styles.find((x) => x.id === id);
  if (!s) throw new PasticheError('INTERNAL', m.styleProblems.find((p) => p.file.endsWith(`${id}.json`))?.message ?? `Style '${id}' did not load`);
  return { ...s };
}
