// Style files (docs/styles.md): one JSON object per style holding its vector (gamma of every
// norm layer, then beta) for one frozen pack. Each file is checked on its own and a bad one is
// reported by name, so it never hides the others.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { STYLE_ID_RE } from '../common/style-meta.js';
import type { StyleInfo, StyleSource } from '../common/types.js';

export const STYLE_FORMAT = 'pastiche-style';
export const STYLE_VERSION = 1;

/** The network a style file is made for (a vector-input model of the manifest). */
export interface PackRef {
  id: string;
  fingerprint: string;
  vectorSize: number;
}

export interface StyleFile {
  file: string;
  source: StyleSource;
  /** The parsed document (metadata and vector as read). */
  doc: Record<string, unknown>;
  info: Omit<StyleInfo, 'model' | 'index'>;
  pack: PackRef;
  /** float32 values, as the graph takes them. */
  vector: Float32Array;
}

export interface StyleFileProblem {
  file: string;
  message: string;
}

export class StyleFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : (JSON.stringify(v) ?? String(v));
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates one style file's text; `packs` are the networks it may be made for. */
export function parseStyleFile(text: string, file: string, source: StyleSource, packs: readonly PackRef[]): StyleFile {
  const fail = (msg: string): never => {
    throw new StyleFileError(file, `${msg} in ${file}`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // Python's json writes NaN and Infinity as bare tokens: read them as strings so the message
    // names the entry, instead of a JSON syntax error.
    try {
      doc = JSON.parse(text.replace(/(?<=[[,:]\s*)(-?Infinity|NaN)(?=\s*[\],}])/g, '"$1"'));
    } catch {
      return fail(`Expected JSON but received invalid text (${(e as Error).message})`);
    }
  }
  if (!isObj(doc)) return fail(`Expected a JSON object but received ${show(doc)?.slice(0, 40)}`);
  if (doc['format'] !== STYLE_FORMAT || doc['version'] !== STYLE_VERSION) {
    fail(`Expected format '${STYLE_FORMAT}' version ${STYLE_VERSION} but received ${show(doc['format'])} version ${show(doc['version'])}`);
  }
  const id = doc['id'];
  if (typeof id !== 'string' || !STYLE_ID_RE.test(id)) fail(`Expected an id of 1-64 lowercase letters, digits and '-' but received ${show(id)}`);
  const p = doc['pack'];
  if (!isObj(p) || typeof p['id'] !== 'string' || typeof p['fingerprint'] !== 'string') fail(`Expected pack {id, fingerprint} but received ${show(p).slice(0, 80)}`);
  const pk = p as { id: string; fingerprint: string };
  const pack = packs.find((x) => x.id === pk.id && x.fingerprint === pk.fingerprint);
  if (!pack) {
    const want = packs.map((x) => `${x.id} (fingerprint ${x.fingerprint.slice(0, 12)})`).join(' or ') || 'a loaded vector-input model';
    fail(`Expected a style for pack ${want} but received one for pack ${pk.id} (fingerprint ${pk.fingerprint.slice(0, 12)})`);
  }
  const { vectorSize } = pack as PackRef;
  const raw = doc['vector'];
  if (!Array.isArray(raw)) return fail(`Expected an array for vector but received ${show(raw).slice(0, 40)}`);
  if (raw.length !== vectorSize) fail(`Expected ${vectorSize} numbers for vector but received ${raw.length}`);
  const vector = new Float32Array(vectorSize);
  for (let i = 0; i < vectorSize; i++) {
    const v: unknown = raw[i];
    // JSON has no NaN; a number beyond float32 would become Infinity in the graph.
    if (typeof v !== 'number' || !Number.isFinite(v) || !Number.isFinite(Math.fround(v))) fail(`Expected a finite float32 at vector[${i}] but received ${show(v)}`);
    vector[i] = v as number;
  }
  const str = (k: string): string => (typeof doc[k] === 'string' ? doc[k] : '');
  const info = {
    id: id as string,
    title: str('title') || (id as string),
    artist: str('artist'),
    year: str('year'),
    publicDomain: str('publicDomain') || str('licence'),
    painting: str('source'),
    source,
    vectorSha: createHash('sha256').update(new Uint8Array(vector.buffer)).digest('hex').slice(0, 12),
  };
  return { file, source, doc, info, pack: pack as PackRef, vector };
}

/** Every `*.json` in dir: the valid files and one problem per bad file. A missing dir is empty unless required. */
export async function readStyleDir(dir: string, source: StyleSource, packs: readonly PackRef[], required = false): Promise<{ files: StyleFile[]; problems: StyleFileProblem[] }> {
  const files: StyleFile[] = [];
  const problems: StyleFileProblem[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' && !required) return { files, problems };
    problems.push({ file: dir, message: err.code === 'ENOENT' ? `No style files: ${dir} is missing` : `Cannot read the styles folder ${dir}: ${err.message}` });
    return { files, problems };
  }
  await Promise.all(
    names.map(async (n, i) => {
      const file = path.join(dir, n);
      try {
        files[i] = parseStyleFile(await readFile(file, 'utf8'), file, source, packs);
      } catch (e) {
        problems.push({ file, message: e instanceof StyleFileError ? e.message : `Cannot read style file ${file}: ${(e as Error).message}` });
      }
    }),
  );
  problems.sort((a, b) => a.file.localeCompare(b.file));
  return { files: files.filter(Boolean), problems };
}

/**
 * sum_i w_i * v_i with weights normalized to sum to 1, accumulated in float64 and rounded once to
 * float32 (training/styles/vector.py: blend): one style alone gives its own vector bit for bit.
 */
export function blendVectors(parts: readonly { vector: Float32Array; weight: number }[]): Float32Array {
  const n = parts[0]?.vector.length ?? 0;
  const total = parts.reduce((a, p) => a + p.weight, 0);
  const acc = new Float64Array(n);
  for (const p of parts) {
    if (p.vector.length !== n) throw new Error(`Expected style vectors of one length but received ${n} and ${p.vector.length}`);
    const w = p.weight / total;
    for (let i = 0; i < n; i++) acc[i] = (acc[i] as number) + w * (p.vector[i] as number);
  }
  return Float32Array.from(acc);
}

/** Shortest decimal that reads back (to float64, then float32) as the same float32. */
export function formatFloat32(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`Expected a finite number but received ${x}`);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0';
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const v = Number(f.toPrecision(p));
    // Positional, and below 1e-4 scientific with a two-digit exponent, as the trainer writes them.
    if (Math.fround(v) === f) return Math.abs(v) >= 1e-4 ? String(v) : v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return String(f);
}

/** A style file's text: metadata indented, the vector 16 numbers a line (the trainer's layout). */
export function styleFileText(doc: Record<string, unknown>, vector: Float32Array): string {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) if (k !== 'vector') body[k] = v;
  const text = JSON.stringify(body, null, 1);
  const nums = Array.from(vector, formatFloat32);
  const lines: string[] = [];
  for (let i = 0; i < nums.length; i += 16) lines.push(nums.slice(i, i + 16).join(', '));
  return `${text.slice(0, -2)},\n "vector": [\n  ${lines.join(',\n  ')}\n ]\n}\n`;
}

/** Whole file or nothing: a temporary file beside it, fsync, then rename over. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
