// Loads models/manifest.json, validates its structure and verifies every model file
// (exists, size, sha256). Problems are reported per model so one broken download never
// hides the other styles or stops the app from opening.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_VARIANTS, ParamError } from '../common/params.js';
import type { LearnInfo, Manifest, ModelFileRef, ModelInfo, ModelIo, StyleInfo } from '../common/types.js';
import { resolveStyle, styleCatalog } from '../common/styles.js';
import { blendVectors, readStyleDir, type PackRef, type StyleFile, type StyleFileProblem } from './style-files.js';

export interface ModelError {
  /** Model id, or null when the manifest itself is unusable. */
  model: string | null;
  message: string;
}

/** A verified model with absolute paths of its files. */
export interface LoadedModel {
  info: ModelInfo;
  path: string;
  variantPaths: Partial<Record<keyof ModelInfo['variants'], string>>;
}

export interface LoadedManifest {
  dir: string;
  models: LoadedModel[];
  styles: StyleInfo[];
  errors: ModelError[];
  /** Style ids declared by models that failed to load -> that model's error (clear messages). */
  unavailable: Map<string, ModelError>;
  /** Style files of vector-input models, by style id. */
  styleFiles: Map<string, StyleFile>;
  /** Style files refused (bad JSON, wrong length, another pack, duplicate id...), one per file. */
  styleProblems: StyleFileProblem[];
  /** The user's styles folder that was read, or null. */
  userStylesDir: string | null;
}

export interface LoadManifestOptions {
  /** Hashing a large pack costs time; 'size' checks only existence and size. Default 'sha256'. */
  verify?: 'sha256' | 'size';
  /** Folder of the user's style files (for the vector-input models); none when omitted. */
  userStylesDir?: string | null;
}

type Obj = Record<string, unknown>;

class ShapeError extends Error {}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
}

function need(cond: boolean, where: string, expected: string, v: unknown): void {
  if (!cond) throw new ShapeError(`${where}: expected ${expected} but received ${v === undefined ? 'nothing' : show(v)}`);
}

const SHA_RE = /^[0-9a-f]{64}$/;
const ID_RE = /^[a-z0-9][a-z0-9-]*$/;

function checkFileRef(v: unknown, where: string): ModelFileRef {
  need(isObj(v), where, 'an object', v);
  const o = v as Obj;
  need(typeof o['file'] === 'string' && o['file'] !== '', `${where}.file`, 'a file name', o['file']);
  const file = o['file'] as string;
  // Manifest files are relative to the models folder; never let them point elsewhere.
  need(!path.isAbsolute(file) && !file.split(/[\\/]/).includes('..'), `${where}.file`, 'a path inside the models folder', file);
  need(typeof o['sha256'] === 'string' && SHA_RE.test(o['sha256']), `${where}.sha256`, '64 lowercase hex digits', o['sha256']);
  need(Number.isInteger(o['bytes']) && (o['bytes'] as number) > 0, `${where}.bytes`, 'a positive integer', o['bytes']);
  return { file, sha256: o['sha256'] as string, bytes: o['bytes'] as number };
}

function checkIo(v: unknown, where: string, kind: ModelInfo['kind']): ModelIo {
  need(isObj(v), where, 'an object', v);
  const o = v as Obj;
  for (const k of ['input', 'output', 'stats'] as const) {
    need(typeof o[k] === 'string' && o[k] !== '', `${where}.${k}`, 'a tensor name', o[k]);
  }
  const vector = o['styleVector'];
  if (kind === 'multi-style' && vector !== undefined && vector !== null) {
    // Vector-input pack: the style is its scale/shift vector (docs/styles.md).
    need(typeof vector === 'string' && vector !== '', `${where}.styleVector`, 'a tensor name', vector);
    need(o['styleWeights'] === null || o['styleWeights'] === undefined, `${where}.styleWeights`, 'null for a vector-input model', o['styleWeights']);
    need(Number.isInteger(o['styleVectorSize']) && (o['styleVectorSize'] as number) > 0, `${where}.styleVectorSize`, 'a positive integer', o['styleVectorSize']);
  } else if (kind === 'multi-style') {
    need(typeof o['styleWeights'] === 'string' && o['styleWeights'] !== '', `${where}.styleWeights`, 'a tensor name for a multi-style model', o['styleWeights']);
  } else {
    need(o['styleWeights'] === null || o['styleWeights'] === undefined, `${where}.styleWeights`, 'null for a single-style model', o['styleWeights']);
  }
  need(Number.isInteger(o['statsSize']) && (o['statsSize'] as number) > 0, `${where}.statsSize`, 'a positive integer', o['statsSize']);
  need(o['layout'] === 'NCHW', `${where}.layout`, "'NCHW'", o['layout']);
  need(o['channels'] === 'RGB', `${where}.channels`, "'RGB'", o['channels']);
  const r = o['range'];
  need(Array.isArray(r) && r.length === 2 && r.every((x) => typeof x === 'number') && (r[0] as number) < (r[1] as number), `${where}.range`, '[min, max] numbers', r);
  need(Number.isInteger(o['multipleOf']) && (o['multipleOf'] as number) >= 1, `${where}.multipleOf`, 'a positive integer', o['multipleOf']);
  const io: ModelIo = {
    input: o['input'] as string,
    output: o['output'] as string,
    styleWeights: (o['styleWeights'] as string | null | undefined) ?? null,
    stats: o['stats'] as string,
    statsSize: o['statsSize'] as number,
    layout: 'NCHW',
    channels: 'RGB',
    range: [(r as number[])[0] as number, (r as number[])[1] as number],
    multipleOf: o['multipleOf'] as number,
  };
  if (typeof vector === 'string') {
    io.styleVector = vector;
    io.styleVectorSize = o['styleVectorSize'] as number;
  }
  return io;
}

/** A vector-input model's `pack` and `styles` ({dir, builtin}): its styles are files. */
function checkStyleFiles(o: Obj, w: string): Pick<ModelInfo, 'pack' | 'styleFiles'> {
  const pack = o['pack'];
  need(isObj(pack) && typeof pack['fingerprint'] === 'string' && SHA_RE.test(pack['fingerprint']), `${w}.pack.fingerprint`, '64 lowercase hex digits', isObj(pack) ? pack['fingerprint'] : pack);
  const st = o['styles'];
  need(isObj(st), `${w}.styles`, 'an object {dir, builtin} for a vector-input model', st);
  const dir = (st as Obj)['dir'];
  need(typeof dir === 'string' && dir !== '' && !path.isAbsolute(dir) && !dir.split(/[\\/]/).includes('..'), `${w}.styles.dir`, 'a folder inside the models folder', dir);
  const builtin = (st as Obj)['builtin'] ?? [];
  need(Array.isArray(builtin) && builtin.every((x) => typeof x === 'string' && ID_RE.test(x)), `${w}.styles.builtin`, 'an array of style ids', builtin);
  return { pack: { fingerprint: (pack as Obj)['fingerprint'] as string }, styleFiles: { dir: dir as string, builtin: builtin as string[] } };
}

/** Structural validation of one model entry; throws ShapeError with a precise path. */
export function validateModelEntry(v: unknown, where: string): ModelInfo {
  need(isObj(v), where, 'an object', v);
  const o = v as Obj;
  need(typeof o['id'] === 'string' && ID_RE.test(o['id']), `${where}.id`, 'a kebab-case id', o['id']);
  const w = `models['${o['id'] as string}']`;
  need(o['kind'] === 'single-style' || o['kind'] === 'multi-style', `${w}.kind`, "'single-style' or 'multi-style'", o['kind']);
  const kind = o['kind'] as ModelInfo['kind'];
  const ref = checkFileRef(o, w);
  const io = checkIo(o['io'], `${w}.io`, kind);
  need(Number.isInteger(o['receptiveField']) && (o['receptiveField'] as number) >= 0, `${w}.receptiveField`, 'a non-negative integer', o['receptiveField']);
  const variantsIn = o['variants'] ?? {};
  need(isObj(variantsIn), `${w}.variants`, 'an object', variantsIn);
  const variants: ModelInfo['variants'] = {};
  for (const [k, vv] of Object.entries(variantsIn as Obj)) {
    need((MODEL_VARIANTS as readonly string[]).includes(k), `${w}.variants`, `keys among ${MODEL_VARIANTS.map((v) => `'${v}'`).join(', ')}`, k);
    variants[k as keyof ModelInfo['variants']] = checkFileRef(vv, `${w}.variants.${k}`);
  }
  if (io.styleVector) {
    const out: ModelInfo = { id: o['id'] as string, kind, ...ref, io, receptiveField: o['receptiveField'] as number, variants, styles: [], ...checkStyleFiles(o, w) };
    for (const k of ['training', 'quality', 'provenance'] as const) if (isObj(o[k])) out[k] = o[k] as Record<string, unknown>;
    // Checked where a style is learned (electron/learning/learn-info.ts), so a bad entry never hides the pack.
    if (isObj(o['learn'])) out.learn = o['learn'] as unknown as LearnInfo;
    return out;
  }
  need(Array.isArray(o['styles']) && (o['styles'] as unknown[]).length > 0, `${w}.styles`, 'a non-empty array', o['styles']);
  const styles = (o['styles'] as unknown[]).map((s, i) => {
    const sw = `${w}.styles[${i}]`;
    need(isObj(s), sw, 'an object', s);
    const so = s as Obj;
    need(typeof so['id'] === 'string' && ID_RE.test(so['id']), `${sw}.id`, 'a kebab-case id', so['id']);
    need(typeof so['title'] === 'string', `${sw}.title`, 'a string', so['title']);
    const index = so['index'] ?? (kind === 'single-style' ? 0 : i);
    need(Number.isInteger(index) && (index as number) >= 0, `${sw}.index`, 'a non-negative integer', index);
    const str = (k: string): string => (typeof so[k] === 'string' ? (so[k] as string) : '');
    return {
      id: so['id'] as string,
      index: index as number,
      title: so['title'] as string,
      artist: str('artist'),
      year: str('year'),
      publicDomain: str('publicDomain'),
      painting: str('source'),
      source: 'builtin' as const,
    };
  });
  if (kind === 'single-style') need(styles.length === 1, `${w}.styles`, 'exactly one style for a single-style model', styles.length);
  const out: ModelInfo = { id: o['id'] as string, kind, ...ref, io, receptiveField: o['receptiveField'] as number, variants, styles };
  for (const k of ['training', 'quality', 'provenance'] as const) if (isObj(o[k])) out[k] = o[k] as Record<string, unknown>;
  return out;
}

// Hashes are cached by path+size+mtime: the engine re-reads the manifest on every create().
const hashCache = new Map<string, string>();

/** sha256 of a file's bytes, or null where it is missing; cached like the manifest's own checks. */
export async function fileSha256(file: string): Promise<{ sha256: string; size: number } | null> {
  const st = await stat(file).catch(() => null);
  if (!st?.isFile()) return null;
  return { sha256: await sha256File(file, st.size, st.mtimeMs), size: st.size };
}

async function sha256File(file: string, size: number, mtimeMs: number): Promise<string> {
  const key = `${file}|${size}|${mtimeMs}`;
  const hit = hashCache.get(key);
  if (hit) return hit;
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  const digest = h.digest('hex');
  hashCache.set(key, digest);
  return digest;
}

async function verifyFile(dir: string, modelId: string, ref: ModelFileRef, verify: 'sha256' | 'size'): Promise<string> {
  const p = path.join(dir, ref.file);
  let st;
  try {
    st = await stat(p);
  } catch {
    throw new Error(`Model '${modelId}': file ${ref.file} is missing from ${dir}`);
  }
  if (st.size !== ref.bytes) {
    const what = st.size < ref.bytes ? 'truncated' : 'larger than expected';
    throw new Error(`Model '${modelId}': file ${ref.file} is ${what} (${st.size} bytes, expected ${ref.bytes}); reinstall or re-download it`);
  }
  if (verify === 'sha256') {
    const digest = await sha256File(p, st.size, st.mtimeMs);
    if (digest !== ref.sha256) {
      throw new Error(`Model '${modelId}': file ${ref.file} is corrupted (sha256 ${digest.slice(0, 12)}…, expected ${ref.sha256.slice(0, 12)}…)`);
    }
  }
  return p;
}

export async function loadManifest(dir: string, opts: LoadManifestOptions = {}): Promise<LoadedManifest> {
  const verify = opts.verify ?? 'sha256';
  const result: LoadedManifest = { dir, models: [], styles: [], errors: [], unavailable: new Map(), styleFiles: new Map(), styleProblems: [], userStylesDir: opts.userStylesDir ?? null };
  const manifestPath = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const message = err.code === 'ENOENT' ? `No model manifest at ${manifestPath}` : `Model manifest ${manifestPath} is not valid JSON: ${err.message}`;
    result.errors.push({ model: null, message });
    return result;
  }
  if (!isObj(raw) || raw['schema'] !== 1 || !Array.isArray(raw['models'])) {
    const why = !isObj(raw) ? 'expected an object' : raw['schema'] !== 1 ? `expected schema 1 but received ${show(raw['schema'])}` : 'expected a models array';
    result.errors.push({ model: null, message: `Model manifest ${manifestPath}: ${why}` });
    return result;
  }
  const manifest = raw as unknown as Manifest;
  const seenModels = new Set<string>();
  const seenStyles = new Set<string>();
  await Promise.all(
    (manifest.models as unknown[]).map(async (entry, i) => {
      const fallbackId = isObj(entry) && typeof entry['id'] === 'string' ? entry['id'] : null;
      try {
        const info = validateModelEntry(entry, `models[${i}]`);
        const p = await verifyFile(dir, info.id, info, verify);
        const variantPaths: LoadedModel['variantPaths'] = {};
        for (const [k, ref] of Object.entries(info.variants) as [keyof ModelInfo['variants'], ModelFileRef][]) {
          variantPaths[k] = await verifyFile(dir, info.id, ref, verify);
        }
        return { i, model: { info, path: p, variantPaths } as LoadedModel };
      } catch (e) {
        const message = e instanceof ShapeError ? `Model manifest: ${e.message}` : (e as Error).message;
        const error: ModelError = { model: fallbackId, message };
        const st = isObj(entry) ? entry['styles'] : undefined;
        const declared = Array.isArray(st) ? (st as unknown[]) : isObj(st) && Array.isArray(st['builtin']) ? (st['builtin'] as unknown[]).map((id) => ({ id })) : [];
        for (const s of declared) if (isObj(s) && typeof s['id'] === 'string') result.unavailable.set(s['id'], error);
        return { i, error };
      }
    }),
  ).then((rows) => {
    // Keep manifest order (the first style is the CLI default), whatever finished first.
    for (const row of rows.sort((a, b) => a.i - b.i)) {
      if ('error' in row && row.error) {
        result.errors.push(row.error);
        continue;
      }
      const m = (row as { model: LoadedModel }).model;
      if (seenModels.has(m.info.id)) {
        result.errors.push({ model: m.info.id, message: `Model manifest: duplicate model id '${m.info.id}'` });
        continue;
      }
      const dup = m.info.styles.find((s) => seenStyles.has(s.id));
      if (dup) {
        result.errors.push({ model: m.info.id, message: `Model manifest: style id '${dup.id}' of model '${m.info.id}' is already used by another model` });
        continue;
      }
      seenModels.add(m.info.id);
      for (const s of m.info.styles) seenStyles.add(s.id);
      result.models.push(m);
      for (const s of m.info.styles) result.styles.push({ ...s, model: m.info.id });
    }
  });
  await attachStyleFiles(result, seenStyles);
  return result;
}

/**
 * Reads the style files of the vector-input models: each model's built-in folder (in the order
 * its manifest lists), then the user's folder. A refused file is a problem of its own; the
 * first file to claim an id keeps it (built-in before user).
 */
async function attachStyleFiles(result: LoadedManifest, seen: Set<string>): Promise<void> {
  const vectorModels = result.models.filter((m) => m.info.styleFiles && m.info.pack && m.info.io.styleVectorSize);
  if (vectorModels.length === 0) return;
  const packs: PackRef[] = vectorModels.map((m) => ({ id: m.info.id, fingerprint: m.info.pack?.fingerprint ?? '', vectorSize: m.info.io.styleVectorSize ?? 0 }));
  const add = (f: StyleFile): void => {
    const prev = result.styleFiles.get(f.info.id);
    if (prev || seen.has(f.info.id)) {
      const by = prev ? `${prev.source === 'builtin' ? 'the built-in style' : 'the style'} in ${prev.file}` : 'a built-in style';
      const hint = f.source === 'user' ? '; give this style an id of its own' : '';
      result.styleProblems.push({ file: f.file, message: `Style id '${f.info.id}' in ${f.file} is already used by ${by}${hint}` });
      return;
    }
    const m = vectorModels.find((x) => x.info.id === f.pack.id) as LoadedModel;
    result.styleFiles.set(f.info.id, f);
    const s = { ...f.info, index: m.info.styles.length };
    m.info.styles.push(s);
    result.styles.push({ ...s, model: m.info.id });
  };
  for (const m of vectorModels) {
    const sf = m.info.styleFiles as NonNullable<ModelInfo['styleFiles']>;
    const dir = path.join(result.dir, sf.dir);
    const r = await readStyleDir(dir, 'builtin', packs, true);
    result.styleProblems.push(...r.problems);
    const rank = (id: string): number => (sf.builtin.includes(id) ? sf.builtin.indexOf(id) : sf.builtin.length);
    for (const f of [...r.files].sort((a, b) => rank(a.info.id) - rank(b.info.id))) add(f);
    for (const id of sf.builtin) {
      if (!result.styleFiles.has(id) && !r.problems.some((p) => path.basename(p.file) === `${id}.json`)) {
        result.styleProblems.push({ file: path.join(dir, `${id}.json`), message: `Built-in style '${id}' of model '${m.info.id}' has no style file in ${dir}` });
      }
    }
  }
  if (result.userStylesDir) {
    const r = await readStyleDir(result.userStylesDir, 'user', packs);
    result.styleProblems.push(...r.problems);
    for (const f of r.files) add(f);
  }
}

/** What a style (or blend) runs as: the model and its style input (weights or vector). */
export interface StyleInput {
  model: LoadedModel;
  /** Weights for the model's style-weights input (weights-input multi-style), else null. */
  weights: number[] | null;
  /** The (blended) style vector, float32 values, for vector-input models; else null. */
  vector: number[] | null;
  label: string;
}

/** The model and style input of a style or blend, checked by resolveStyle (common/styles.ts). */
export function styleInput(loaded: LoadedManifest, style: string | Record<string, number>): StyleInput {
  const ref = resolveStyle(styleCatalog(loaded.styles), style, (id) => {
    const failed = loaded.unavailable?.get(id);
    if (failed) return new ParamError('style', `Style '${id}' is unavailable: ${failed.message}`);
    const hint = loaded.styles.length ? ` (available: ${loaded.styles.map((x) => x.id).join(', ')})` : '';
    const broken = loaded.errors.length ? `; ${loaded.errors.length} model(s) failed to load, run 'pastiche doctor'` : '';
    return new ParamError('style', `Unknown style '${id}'${hint}${broken}`);
  });
  const model = loaded.models.find((x) => x.info.id === ref.model);
  if (!model) throw new Error(`Style '${ref.parts[0]?.id ?? ''}' has no loaded model`);
  const blended = ref.parts.length > 1;
  const label = ref.parts.map((p) => (blended ? `${p.id}=${p.weight}` : p.id)).join(',');
  if (model.info.kind === 'single-style') return { model, weights: null, vector: null, label: ref.parts.map((p) => p.id).join('+') };
  if (model.info.io.styleVector) {
    const parts = ref.parts.map((p) => ({ vector: (loaded.styleFiles.get(p.id) as StyleFile).vector, weight: p.weight }));
    return { model, weights: null, vector: Array.from(blendVectors(parts)), label };
  }
  const total = ref.parts.reduce((a, p) => a + p.weight, 0);
  const weights = new Array<number>(model.info.styles.length).fill(0);
  for (const p of ref.parts) weights[p.index] = (weights[p.index] ?? 0) + p.weight / total;
  return { model, weights, vector: null, label };
}
