// Learning graphs ready for onnxruntime: the VGG19 weights are not part of the repository (their
// licence differs), so the graphs keep them as ONNX external data named `vgg19/<shard>`, which
// onnxruntime resolves relative to the graph file's folder. Before the sessions are created, the
// graphs of a learn and the shards they read from the trainer data (each read and checked against
// the sha256 of the manifest's learn.vgg once, however many graphs read it) are placed in one cache
// folder per set of shards: every graph beside the one vgg19/ folder, so the shards are stored once.
// A graph without external data is used where it is.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PasticheError } from '../common/errors.js';
import { externalDataRefs, type ExternalRef } from '../common/onnx-external.js';
import type { ModelFileRef } from '../common/types.js';
import type { LearnGraphRef } from '../common/worker-protocol.js';

/** External data must sit in this folder beside the graph; its files come from the VGG folder. */
export const EXTERNAL_DIR = 'vgg19';

/** An external file of a graph, with the VGG folder's file that provides it and its manifest entry. */
export interface ExternalSource {
  ref: ExternalRef;
  source: string;
  shard: ModelFileRef;
}

/** The external files of a graph, each with the VGG folder's file that provides it. */
export function externalSources(refs: readonly ExternalRef[], vggDir: string, graphFile: string, shards: readonly ModelFileRef[]): ExternalSource[] {
  return refs.map((ref) => {
    const parts = ref.location.split(/[\\/]/);
    if (parts.length !== 2 || parts[0] !== EXTERNAL_DIR || !parts[1] || parts[1] === '..' || parts[1] === '.') {
      throw new PasticheError('MODEL', `Expected external data under ${EXTERNAL_DIR}/ in ${graphFile} but received the location '${ref.location}'`);
    }
    const shard = shards.find((s) => s.file === `${EXTERNAL_DIR}/${parts[1]}`);
    if (!shard) throw new PasticheError('MODEL', `Expected ${ref.location} (read by ${path.basename(graphFile)}) among the VGG19 files of the manifest's learn.vgg but it is not listed`);
    return { ref, source: path.join(vggDir, parts[1]), shard };
  });
}

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The shard's bytes, once they are the manifest's (present, long enough, its sha256). */
async function verifiedShard(s: ExternalSource, graphFile: string): Promise<Buffer> {
  const { ref, source, shard } = s;
  const st = await stat(source).catch(() => null);
  if (!st?.isFile()) throw new PasticheError('MODEL', `Expected the VGG19 weights file ${source} (read by ${path.basename(graphFile)} as ${ref.location}) but it is missing`);
  if (st.size < ref.end) throw new PasticheError('MODEL', `Expected at least ${ref.end} bytes in ${source} (read by ${path.basename(graphFile)}) but received ${st.size}: a partial or different file`);
  const bytes = await readFile(source);
  const sha = sha256Of(bytes);
  if (sha !== shard.sha256)
    throw new PasticheError(
      'MODEL',
      `Expected ${source} with the sha256 ${shard.sha256.slice(0, 12)}… of the manifest's learn.vgg but its bytes hash to ${sha.slice(0, 12)}… (a changed or different file)`,
    );
  return bytes;
}

/** Hex digits of a sha256 in the cache's names. */
const KEY_CHARS = 16;

/** The cache folder of the manifest's shards: their sha256s name it, so other weights never reuse it. */
export function shardFolder(cacheDir: string, shards: readonly ModelFileRef[]): string {
  const key = sha256Of(
    Buffer.from(
      shards
        .map((s) => `${s.file}\0${s.sha256}\n`)
        .sort()
        .join(''),
    ),
  );
  return path.join(cacheDir, `${EXTERNAL_DIR}-${key.slice(0, KEY_CHARS)}`);
}

/** A graph's file in the shard folder: its sha256 names it, so a changed graph never reuses an old copy. */
export function cachedGraphName(g: LearnGraphRef): string {
  return `${g.sha256.slice(0, KEY_CHARS)}-${path.basename(g.path)}`;
}

/** The graph's bytes, once they are the manifest's, and the external files they read. */
async function verifiedGraph(g: LearnGraphRef): Promise<{ bytes: Buffer; refs: ExternalRef[] }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(g.path);
  } catch (e) {
    throw new PasticheError('MODEL', `Expected the learning graph ${g.path} but cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const sha = sha256Of(bytes);
  if (sha !== g.sha256)
    throw new PasticheError('MODEL', `Expected ${g.path} with the sha256 ${g.sha256.slice(0, 12)}… of the manifest but its bytes hash to ${sha.slice(0, 12)}… (a changed or partial file)`);
  try {
    return { bytes, refs: externalDataRefs(bytes) };
  } catch (e) {
    throw new PasticheError('MODEL', `${(e as Error).message} in ${g.path}`);
  }
}

/** Whether file holds exactly these bytes. */
async function holds(file: string, bytes: Buffer): Promise<boolean> {
  if ((await stat(file).catch(() => null))?.size !== bytes.length) return false;
  return (await readFile(file).catch(() => null))?.equals(bytes) ?? false;
}

/** A file the shard folder lacks (or holds changed), with its verified bytes. */
interface Staged {
  rel: string;
  bytes: Buffer;
}

/**
 * The paths to create the graphs' sessions from, in their order: a graph without external data
 * itself, the others their copies in the shard folder (what it lacks or holds changed placed now).
 * Each graph and each shard is read and hashed once, whichever graphs read it.
 */
export async function materializeGraphs<const T extends readonly LearnGraphRef[]>(graphs: T, vggDir: string, cacheDir: string, shards: readonly ModelFileRef[]): Promise<{ [K in keyof T]: string }> {
  const read = [];
  for (const g of graphs) read.push({ g, ...(await verifiedGraph(g)) });
  const dir = shardFolder(cacheDir, shards);
  // Each shard once, with the most bytes any graph reads of it (the graph named in its errors).
  const needed = new Map<string, ExternalSource & { graph: string }>();
  for (const r of read)
    for (const s of externalSources(r.refs, vggDir, r.g.path, shards)) {
      const had = needed.get(s.ref.location);
      if (!had || s.ref.end > had.ref.end) needed.set(s.ref.location, { ...s, graph: r.g.path });
    }
  const staged: Staged[] = [];
  for (const r of read) if (r.refs.length > 0 && !(await holds(path.join(dir, cachedGraphName(r.g)), r.bytes))) staged.push({ rel: cachedGraphName(r.g), bytes: r.bytes });
  for (const [location, s] of needed) {
    const cached = await readFile(path.join(dir, location)).catch(() => null);
    // A cached shard is used only while it hashes right; else it is replaced from the trainer data.
    if (!cached || sha256Of(cached) !== s.shard.sha256) staged.push({ rel: location, bytes: await verifiedShard(s, s.graph) });
  }
  if (staged.length > 0) {
    try {
      await place(cacheDir, dir, staged);
    } catch (e) {
      // Another run may have placed the same files meanwhile: use them if whole.
      for (const f of staged) if (!(await holds(path.join(dir, f.rel), f.bytes))) throw e;
    }
  }
  const files = read.map((r) => (r.refs.length > 0 ? path.join(dir, cachedGraphName(r.g)) : r.g.path));
  await pruneLearnCache(cacheDir, dir, files);
  return files as { [K in keyof T]: string };
}

/** How long an unused cache entry of another version is kept: a learn of that version may be starting. */
export const STALE_CACHE_MS = 24 * 3600 * 1000;

/**
 * Removes what earlier versions left in the cache: other shard folders (and temp folders of crashed
 * runs) and graph copies the manifest no longer names, each once unchanged for STALE_CACHE_MS. Only
 * names this module makes are touched, in case the cache folder was pointed somewhere shared, and
 * a failure only leaves a file behind (Windows refuses to remove one that is open).
 */
export async function pruneLearnCache(cacheDir: string, dir: string, keep: readonly string[]): Promise<void> {
  const prune = async (parent: string, pattern: RegExp): Promise<void> => {
    for (const name of await readdir(parent).catch(() => [] as string[])) {
      const p = path.join(parent, name);
      if (!pattern.test(name) || p === dir || keep.includes(p)) continue;
      const st = await lstat(p).catch(() => null);
      if (st && Date.now() - st.mtimeMs >= STALE_CACHE_MS) await rm(p, { recursive: true, force: true }).catch(() => undefined);
    }
  };
  await prune(cacheDir, new RegExp(`^${EXTERNAL_DIR}-[0-9a-f]{${KEY_CHARS}}(\\.tmp-\\d+-[0-9a-f]{8})?$`));
  await prune(dir, new RegExp(`^[0-9a-f]{${KEY_CHARS}}-.+\\.onnx$`));
}

const renamed = (from: string, to: string): Promise<boolean> =>
  rename(from, to).then(
    () => true,
    () => false,
  );

/**
 * Writes the staged files into dir through a temp folder: a new dir appears whole (the temp folder
 * renamed into place); into one that exists each file is renamed whole, so a run reading it never
 * sees a partial file, and two runs placing the same bytes do not harm each other.
 */
async function place(cacheDir: string, dir: string, staged: readonly Staged[]): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(path.join(tmp, EXTERNAL_DIR), { recursive: true });
    // The bytes that were hashed are the bytes written: the sources cannot change in between.
    for (const f of staged) await writeFile(path.join(tmp, f.rel), f.bytes);
    const fresh = !(await stat(dir).catch(() => null));
    if (fresh && (await renamed(tmp, dir))) return;
    await mkdir(path.join(dir, EXTERNAL_DIR), { recursive: true });
    for (const f of staged) await rename(path.join(tmp, f.rel), path.join(dir, f.rel));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
