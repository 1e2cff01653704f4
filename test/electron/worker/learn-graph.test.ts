// Learning graphs whose VGG19 weights are ONNX external data: tiny models built here (y = x + w or
// x - w, w stored at an offset of a shard file under vgg19/) are materialized into the cache folder
// of their shards and run by onnxruntime-node; two graphs reading one shard read and hash it once
// and share its one copy; missing, short, unlisted and changed shards are named (sha256 against the
// manifest's learn.vgg); a graph without external data is used where it is; what older versions
// left in the cache goes once a day old, and nothing else does.
import { createHash, type BinaryLike } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it, vi } from 'vitest';
import { externalDataRefs } from '../../../electron/common/onnx-external.js';
import { STALE_CACHE_MS, cachedGraphName, materializeGraphs, shardFolder } from '../../../electron/worker/learn-graph.js';
import { field, tinyReluModel } from '../../../electron/worker/tiny-model.js';
import { tmpDir } from '../engine/helpers.js';

const valueInfo = (name: string): number[] => [...field(1, name), ...field(2, field(1, [...field(1, 1), ...field(2, field(1, field(1, 4)))]))];
const entry = (k: string, v: string): number[] => field(13, [...field(1, k), ...field(2, v)]);

// Counts the files read and the bytes hashed, passing every call through.
const hashed = vi.hoisted((): Buffer[] => []);
vi.mock('node:fs/promises', async (original) => {
  const m = await original<typeof import('node:fs/promises')>();
  return { ...m, readFile: vi.fn(m.readFile) };
});
vi.mock('node:crypto', async (original) => {
  const m = await original<typeof import('node:crypto')>();
  const createHash: typeof m.createHash = (...a) => {
    const h = m.createHash(...a);
    const update = h.update.bind(h);
    h.update = (data: BinaryLike) => {
      hashed.push(Buffer.from(data as Uint8Array));
      return update(data);
    };
    return h;
  };
  return { ...m, createHash };
});

/** y = x + w (or x - w; float[4]); w read from `location` at `offset` (16 bytes). */
function addModel(location: string, offset: number, op = 'Add'): Buffer {
  const w = [...field(1, 4), ...field(2, 1), ...field(8, 'w'), ...entry('location', location), ...entry('offset', String(offset)), ...entry('length', '16'), ...field(14, 1)];
  const node = [...field(1, 'x'), ...field(1, 'w'), ...field(2, 'y'), ...field(4, op)];
  const graph = [...field(1, node), ...field(2, 'add'), ...field(5, w), ...field(11, valueInfo('x')), ...field(12, valueInfo('y'))];
  return Buffer.from([...field(1, 8), ...field(2, 'pastiche-test'), ...field(7, graph), ...field(8, [...field(1, ''), ...field(2, 13)])]);
}

function setup(shard: Buffer | null) {
  const dir = tmpDir('pastiche-learn-graph-');
  const models = path.join(dir, 'models');
  const vgg = path.join(dir, 'vgg19');
  mkdirSync(models);
  mkdirSync(vgg);
  const graph = (name: string, op: string) => {
    const bytes = addModel('vgg19/group9-shard1of1', 16, op);
    const file = path.join(models, name);
    writeFileSync(file, bytes);
    return { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  };
  const ref = graph('tiny-learn.onnx', 'Add');
  const grams = graph('tiny-grams.onnx', 'Sub');
  if (shard) writeFileSync(path.join(vgg, 'group9-shard1of1'), shard);
  return { dir, vgg, cache: path.join(dir, 'cache'), ref, grams };
}

const SHARD = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from(Float32Array.from([10, 20, 30, 40]).buffer)]);
/** The manifest's learn.vgg for the tiny graph: the shard's sha256 as shipped. */
const SHARDS = [{ file: 'vgg19/group9-shard1of1', bytes: SHARD.length, sha256: createHash('sha256').update(SHARD).digest('hex') }];

async function run(file: string): Promise<number[]> {
  const session = await ort.InferenceSession.create(file);
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [4]) });
  await session.release();
  return Array.from(out['y']?.data as Float32Array);
}

/** How often readFile read each of these files, and how often these bytes were hashed, since the last call. */
function counts(files: string[], bytes: Buffer): { reads: number[]; hashes: number } {
  const reads = files.map((f) => vi.mocked(readFile).mock.calls.filter((c) => c[0] === f).length);
  const hashes = hashed.filter((b) => b.equals(bytes)).length;
  vi.mocked(readFile).mockClear();
  hashed.length = 0;
  return { reads, hashes };
}

describe('external data of learning graphs', () => {
  it('lists the files and the bytes the initializers read', () => {
    expect(externalDataRefs(addModel('vgg19/group9-shard1of1', 16))).toEqual([{ location: 'vgg19/group9-shard1of1', end: 32, tensors: 1 }]);
    expect(externalDataRefs(tinyReluModel())).toEqual([]);
    expect(() => externalDataRefs(Uint8Array.from([0x3a, 0x20, 1]))).toThrow('Expected an ONNX model but received a field running past its message');
  });

  it('materializes the graph with its shard in the cache and onnxruntime runs it; reused the second time', async () => {
    const s = setup(SHARD);
    const [file] = await materializeGraphs([s.ref], s.vgg, s.cache, SHARDS);
    expect(file).toBe(path.join(shardFolder(s.cache, SHARDS), cachedGraphName(s.ref)));
    expect(readdirSync(s.cache)).toEqual([path.basename(shardFolder(s.cache, SHARDS))]);
    expect(await run(file)).toEqual([11, 22, 33, 44]);
    const mtime = statSync(file).mtimeMs;
    expect(await materializeGraphs([s.ref], s.vgg, s.cache, SHARDS)).toEqual([file]);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('reads and hashes a shard two graphs read once, and keeps one copy of it beside both', async () => {
    const s = setup(SHARD);
    const source = path.join(s.vgg, 'group9-shard1of1');
    const cached = path.join(shardFolder(s.cache, SHARDS), 'vgg19', 'group9-shard1of1');
    counts([], SHARD);
    const files = await materializeGraphs([s.ref, s.grams], s.vgg, s.cache, SHARDS);
    // The cache is empty: the source read and hashed once; the cache's copy looked for once.
    expect(counts([source, cached], SHARD)).toEqual({ reads: [1, 1], hashes: 1 });
    expect(files).toEqual([s.ref, s.grams].map((g) => path.join(shardFolder(s.cache, SHARDS), cachedGraphName(g))));
    expect(readdirSync(s.cache)).toEqual([path.basename(shardFolder(s.cache, SHARDS))]);
    expect(readdirSync(path.dirname(cached))).toEqual(['group9-shard1of1']);
    expect(readFileSync(cached).equals(SHARD)).toBe(true);
    expect(await run(files[0])).toEqual([11, 22, 33, 44]);
    expect(await run(files[1])).toEqual([-9, -18, -27, -36]);
    // Reused: the cache's copy read and hashed once, the source not at all.
    counts([], SHARD);
    expect(await materializeGraphs([s.ref, s.grams], s.vgg, s.cache, SHARDS)).toEqual(files);
    expect(counts([source, cached], SHARD)).toEqual({ reads: [0, 1], hashes: 1 });
  });

  it('two runs materializing at once both get whole files and leave one folder', async () => {
    const s = setup(SHARD);
    const [a, b] = await Promise.all([materializeGraphs([s.ref, s.grams], s.vgg, s.cache, SHARDS), materializeGraphs([s.grams, s.ref], s.vgg, s.cache, SHARDS)]);
    expect(b).toEqual([...a].reverse());
    expect(readdirSync(s.cache)).toEqual([path.basename(shardFolder(s.cache, SHARDS))]);
    expect(readdirSync(shardFolder(s.cache, SHARDS)).sort()).toEqual([cachedGraphName(s.grams), cachedGraphName(s.ref), 'vgg19'].sort());
    expect(readFileSync(path.join(shardFolder(s.cache, SHARDS), 'vgg19', 'group9-shard1of1')).equals(SHARD)).toBe(true);
    expect(await run(a[0])).toEqual([11, 22, 33, 44]);
  });

  it('names a missing or short shard, and leaves no cache folder', async () => {
    const none = setup(null);
    await expect(materializeGraphs([none.ref], none.vgg, none.cache, SHARDS)).rejects.toThrow(
      `Expected the VGG19 weights file ${path.join(none.vgg, 'group9-shard1of1')} (read by tiny-learn.onnx as vgg19/group9-shard1of1) but it is missing`,
    );
    const short = setup(SHARD.subarray(0, 20));
    await expect(materializeGraphs([short.ref, short.grams], short.vgg, short.cache, SHARDS)).rejects.toThrow(
      `Expected at least 32 bytes in ${path.join(short.vgg, 'group9-shard1of1')} (read by tiny-learn.onnx) but received 20: a partial or different file`,
    );
    expect(readdirSync(short.dir).sort()).toEqual(['models', 'vgg19']);
  });

  it('refuses a shard of the right size whose bytes are not the manifest’s, and one it does not list', async () => {
    const changed = Buffer.from(SHARD);
    changed[20] = (changed[20] as number) ^ 1;
    const s = setup(changed);
    await expect(materializeGraphs([s.ref, s.grams], s.vgg, s.cache, SHARDS)).rejects.toThrow(
      new RegExp(
        `^Expected ${path.join(s.vgg, 'group9-shard1of1')} with the sha256 ${SHARDS[0]?.sha256.slice(0, 12)}… of the manifest's learn\\.vgg but its bytes hash to [0-9a-f]{12}… \\(a changed or different file\\)$`,
      ),
    );
    expect(readdirSync(s.dir).sort()).toEqual(['models', 'vgg19']);
    const t = setup(SHARD);
    await expect(materializeGraphs([t.ref], t.vgg, t.cache, [])).rejects.toThrow(
      "Expected vgg19/group9-shard1of1 (read by tiny-learn.onnx) among the VGG19 files of the manifest's learn.vgg but it is not listed",
    );
  });

  it('rebuilds a cached shard or graph that no longer matches', async () => {
    const s = setup(SHARD);
    const files = await materializeGraphs([s.ref, s.grams], s.vgg, s.cache, SHARDS);
    const cached = path.join(shardFolder(s.cache, SHARDS), 'vgg19', 'group9-shard1of1');
    writeFileSync(cached, Buffer.alloc(SHARD.length));
    writeFileSync(files[1], Buffer.alloc(s.grams.bytes));
    expect(await materializeGraphs([s.ref, s.grams], s.vgg, s.cache, SHARDS)).toEqual(files);
    expect(readFileSync(cached).equals(SHARD)).toBe(true);
    expect(readFileSync(files[1]).equals(readFileSync(s.grams.path))).toBe(true);
    expect(readdirSync(s.cache)).toEqual([path.basename(shardFolder(s.cache, SHARDS))]);
  });

  it('refuses a graph whose bytes are not the manifest’s', async () => {
    const s = setup(SHARD);
    await expect(materializeGraphs([{ ...s.ref, sha256: '0'.repeat(64) }], s.vgg, s.cache, SHARDS)).rejects.toThrow(
      /^Expected .*tiny-learn\.onnx with the sha256 000000000000… of the manifest but its bytes hash to [0-9a-f]{12}… \(a changed or partial file\)$/,
    );
  });

  it('removes the folders and graph copies older versions left, once a day old, and nothing else', async () => {
    const s = setup(SHARD);
    const dir = shardFolder(s.cache, SHARDS);
    await materializeGraphs([s.ref, s.grams], s.vgg, s.cache, SHARDS);
    const made = (p: string, folder: boolean) => {
      if (folder) mkdirSync(path.join(p, 'vgg19'), { recursive: true });
      else writeFileSync(p, 'x');
      return p;
    };
    const stale = [
      made(path.join(s.cache, 'vgg19-0123456789abcdef'), true),
      made(path.join(s.cache, 'vgg19-0123456789abcdef.tmp-4242-0a1b2c3d'), true),
      made(path.join(dir, `${'a'.repeat(16)}-pastiche-pack16-vec-learn.onnx`), false),
    ];
    const kept = [
      made(path.join(s.cache, 'notes'), true),
      made(path.join(s.cache, 'vgg19-old-but-not-ours'), true),
      made(path.join(dir, 'readme.txt'), false),
      ...[s.ref, s.grams].map((g) => path.join(dir, cachedGraphName(g))),
      dir,
    ];
    const old = (Date.now() - STALE_CACHE_MS - 60_000) / 1000;
    for (const p of [...stale, ...kept]) utimesSync(p, old, old);
    // A day old less a minute: another version's learn may still be setting up there.
    const recent = made(path.join(s.cache, 'vgg19-fedcba9876543210'), true);
    const minuteLess = (Date.now() - STALE_CACHE_MS + 60_000) / 1000;
    utimesSync(recent, minuteLess, minuteLess);
    const files = await materializeGraphs([s.ref, s.grams], s.vgg, s.cache, SHARDS);
    for (const p of stale) expect(() => statSync(p), p).toThrow(/ENOENT/);
    for (const p of [...kept, recent]) expect(statSync(p).isFile() || statSync(p).isDirectory(), p).toBe(true);
    expect(await run(files[0])).toEqual([11, 22, 33, 44]);
  });

  it('uses a graph without external data where it is', async () => {
    const dir = tmpDir('pastiche-learn-graph-');
    const file = path.join(dir, 'relu.onnx');
    const bytes = tinyReluModel();
    writeFileSync(file, bytes);
    const ref = { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    expect(await materializeGraphs([ref], path.join(dir, 'none'), path.join(dir, 'cache'), [])).toEqual([file]);
    expect(readdirSync(dir)).toEqual(['relu.onnx']);
  });
});
