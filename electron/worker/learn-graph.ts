// A learning graph ready for onnxruntime: the VGG19 weights are not part of the repository (their
// licence differs), so the graphs keep them as ONNX external data named `vgg19/<shard>` relative to
// the graph. Before a session is created, the graph and the shards it reads from the trainer data
// are copied into a private cache folder (whole or not at all: a temp folder renamed into place) and
// the session is made from there. A graph without external data is used where it is.
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PasticheError } from '../common/errors.js';
import { externalDataRefs, type ExternalRef } from '../common/onnx-external.js';
import type { LearnGraphRef } from '../common/worker-protocol.js';

/** External data must sit in this folder beside the graph; its files come from the VGG folder. */
export const EXTERNAL_DIR = 'vgg19';

/** The external files of a graph, each with the VGG folder's file that provides it. */
export function externalSources(refs: readonly ExternalRef[], vggDir: string, graphFile: string): { ref: ExternalRef; source: string }[] {
  return refs.map((ref) => {
    const parts = ref.location.split(/[\\/]/);
    if (parts.length !== 2 || parts[0] !== EXTERNAL_DIR || !parts[1] || parts[1] === '..' || parts[1] === '.') {
      throw new PasticheError('MODEL', `Expected external data under ${EXTERNAL_DIR}/ in ${graphFile} but received the location '${ref.location}'`);
    }
    return { ref, source: path.join(vggDir, parts[1]) };
  });
}

async function checkShard(source: string, ref: ExternalRef, graphFile: string): Promise<void> {
  const st = await stat(source).catch(() => null);
  if (!st?.isFile()) throw new PasticheError('MODEL', `Expected the VGG19 weights file ${source} (read by ${path.basename(graphFile)} as ${ref.location}) but it is missing`);
  if (st.size < ref.end) throw new PasticheError('MODEL', `Expected at least ${ref.end} bytes in ${source} (read by ${path.basename(graphFile)}) but received ${st.size}: a partial or different file`);
}

/** The cache folder of a graph: its sha256 names it, so a changed graph never reuses an old copy. */
export function cacheFolder(cacheDir: string, g: LearnGraphRef): string {
  return path.join(cacheDir, g.sha256.slice(0, 16));
}

/**
 * The path to create the graph's session from: the graph itself without external data, else its
 * copy with the shards beside it in the cache (made now if absent or incomplete).
 */
export async function materializeGraph(g: LearnGraphRef, vggDir: string, cacheDir: string): Promise<string> {
  const name = path.basename(g.path);
  let bytes: Buffer;
  try {
    bytes = await readFile(g.path);
  } catch (e) {
    throw new PasticheError('MODEL', `Expected the learning graph ${g.path} but cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== g.sha256)
    throw new PasticheError('MODEL', `Expected ${g.path} with the sha256 ${g.sha256.slice(0, 12)}… of the manifest but its bytes hash to ${sha.slice(0, 12)}… (a changed or partial file)`);
  let refs: ExternalRef[];
  try {
    refs = externalDataRefs(bytes);
  } catch (e) {
    throw new PasticheError('MODEL', `${(e as Error).message} in ${g.path}`);
  }
  if (refs.length === 0) return g.path;
  const sources = externalSources(refs, vggDir, g.path);
  for (const s of sources) await checkShard(s.source, s.ref, g.path);
  const dir = cacheFolder(cacheDir, g);
  const target = path.join(dir, name);
  if (await complete(dir, name, refs, bytes.length)) return target;
  await rm(dir, { recursive: true, force: true });
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(path.join(tmp, EXTERNAL_DIR), { recursive: true });
    await copyFile(g.path, path.join(tmp, name));
    for (const s of sources) await copyFile(s.source, path.join(tmp, s.ref.location));
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    // Another run may have made the same folder meanwhile: use it if whole.
    if (await complete(dir, name, refs, bytes.length)) return target;
    throw e;
  }
  return target;
}

/** Whether dir holds the graph (its size) and every shard at least as long as the graph reads. */
async function complete(dir: string, name: string, refs: readonly ExternalRef[], graphBytes: number): Promise<boolean> {
  const size = async (f: string): Promise<number> => (await stat(f).catch(() => null))?.size ?? -1;
  if ((await size(path.join(dir, name))) !== graphBytes) return false;
  for (const r of refs) if ((await size(path.join(dir, r.location))) < r.end) return false;
  return true;
}
