// A learning graph ready for onnxruntime: the VGG19 weights are not part of the repository (their
// licence differs), so the graphs keep them as ONNX external data named `vgg19/<shard>` relative to
// the graph. Before a session is created, the graph and the shards it reads from the trainer data
// (each checked against the sha256 of the manifest's learn.vgg) are copied into a private cache
// folder (whole or not at all: a temp folder renamed into place) and the session is made from there. A graph without external data is used where it is.
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PasticheError } from '../common/errors.js';
import { externalDataRefs, type ExternalRef } from '../common/onnx-external.js';
import type { ModelFileRef } from '../common/types.js';
import type { LearnGraphRef } from '../common/worker-protocol.js';

/** External data must sit in this folder beside the graph; its files come from the VGG folder. */
export const EXTERNAL_DIR = 'vgg19';

/** The external files of a graph, each with the VGG folder's file that provides it. */
export function externalSources(refs: readonly ExternalRef[], vggDir: string, graphFile: string, shards: readonly ModelFileRef[]): { ref: ExternalRef; source: string; shard: ModelFileRef }[] {
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
async function verifiedShard(s: { ref: ExternalRef; source: string; shard: ModelFileRef }, graphFile: string): Promise<Buffer> {
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

/** The cache folder of a graph: its sha256 names it, so a changed graph never reuses an old copy. */
export function cacheFolder(cacheDir: string, g: LearnGraphRef): string {
  return path.join(cacheDir, g.sha256.slice(0, 16));
}

/**
 * The path to create the graph's session from: the graph itself without external data, else its
 * copy with the shards beside it in the cache (made now if absent or incomplete).
 */
export async function materializeGraph(g: LearnGraphRef, vggDir: string, cacheDir: string, shards: readonly ModelFileRef[]): Promise<string> {
  const name = path.basename(g.path);
  let bytes: Buffer;
  try {
    bytes = await readFile(g.path);
  } catch (e) {
    throw new PasticheError('MODEL', `Expected the learning graph ${g.path} but cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const sha = sha256Of(bytes);
  if (sha !== g.sha256)
    throw new PasticheError('MODEL', `Expected ${g.path} with the sha256 ${g.sha256.slice(0, 12)}… of the manifest but its bytes hash to ${sha.slice(0, 12)}… (a changed or partial file)`);
  let refs: ExternalRef[];
  try {
    refs = externalDataRefs(bytes);
  } catch (e) {
    throw new PasticheError('MODEL', `${(e as Error).message} in ${g.path}`);
  }
  if (refs.length === 0) return g.path;
  const sources = externalSources(refs, vggDir, g.path, shards);
  const dir = cacheFolder(cacheDir, g);
  const target = path.join(dir, name);
  if (await complete(dir, name, sources, bytes.length)) return target;
  const verified = [];
  for (const s of sources) verified.push(await verifiedShard(s, g.path));
  await rm(dir, { recursive: true, force: true });
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(path.join(tmp, EXTERNAL_DIR), { recursive: true });
    await copyFile(g.path, path.join(tmp, name));
    // The bytes that were hashed are the bytes written: the source cannot change in between.
    for (const [i, s] of sources.entries()) await writeFile(path.join(tmp, s.ref.location), verified[i] as Buffer);
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    // Another run may have made the same folder meanwhile: use it if whole.
    if (await complete(dir, name, sources, bytes.length)) return target;
    throw e;
  }
  return target;
}

/** Whether dir holds the graph (its size) and every shard as the manifest has it (its sha256). */
async function complete(dir: string, name: string, sources: readonly { ref: ExternalRef; shard: ModelFileRef }[], graphBytes: number): Promise<boolean> {
  if (((await stat(path.join(dir, name)).catch(() => null))?.size ?? -1) !== graphBytes) return false;
  for (const { ref, shard } of sources) {
    const bytes = await readFile(path.join(dir, ref.location)).catch(() => null);
    if (!bytes || sha256Of(bytes) !== shard.sha256) return false;
  }
  return true;
}
