// Learning graphs whose VGG19 weights are ONNX external data: a tiny model built here (y = x + w, w
// stored at an offset of a shard file under vgg19/) is materialized into a cache folder with its
// shard and run by onnxruntime-node; missing, short, unlisted and changed shards are named (sha256
// against the manifest's learn.vgg); a graph without external data is used where it is.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { externalDataRefs } from '../../../electron/common/onnx-external.js';
import { cacheFolder, materializeGraph } from '../../../electron/worker/learn-graph.js';
import { field, tinyReluModel } from '../../../electron/worker/tiny-model.js';
import { tmpDir } from '../engine/helpers.js';

const valueInfo = (name: string): number[] => [...field(1, name), ...field(2, field(1, [...field(1, 1), ...field(2, field(1, field(1, 4)))]))];
const entry = (k: string, v: string): number[] => field(13, [...field(1, k), ...field(2, v)]);

/** y = x + w (float[4]); w read from `location` at `offset` (16 bytes). */
function addModel(location: string, offset: number): Buffer {
  const w = [...field(1, 4), ...field(2, 1), ...field(8, 'w'), ...entry('location', location), ...entry('offset', String(offset)), ...entry('length', '16'), ...field(14, 1)];
  const node = [...field(1, 'x'), ...field(1, 'w'), ...field(2, 'y'), ...field(4, 'Add')];
  const graph = [...field(1, node), ...field(2, 'add'), ...field(5, w), ...field(11, valueInfo('x')), ...field(12, valueInfo('y'))];
  return Buffer.from([...field(1, 8), ...field(2, 'pastiche-test'), ...field(7, graph), ...field(8, [...field(1, ''), ...field(2, 13)])]);
}

function setup(shard: Buffer | null) {
  const dir = tmpDir('pastiche-learn-graph-');
  const models = path.join(dir, 'models');
  const vgg = path.join(dir, 'vgg19');
  mkdirSync(models);
  mkdirSync(vgg);
  const bytes = addModel('vgg19/group9-shard1of1', 16);
  const file = path.join(models, 'tiny-learn.onnx');
  writeFileSync(file, bytes);
  if (shard) writeFileSync(path.join(vgg, 'group9-shard1of1'), shard);
  const ref = { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  return { dir, vgg, cache: path.join(dir, 'cache'), ref };
}

const SHARD = Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from(Float32Array.from([10, 20, 30, 40]).buffer)]);
/** The manifest's learn.vgg for the tiny graph: the shard's sha256 as shipped. */
const SHARDS = [{ file: 'vgg19/group9-shard1of1', bytes: SHARD.length, sha256: createHash('sha256').update(SHARD).digest('hex') }];

describe('external data of learning graphs', () => {
  it('lists the files and the bytes the initializers read', () => {
    expect(externalDataRefs(addModel('vgg19/group9-shard1of1', 16))).toEqual([{ location: 'vgg19/group9-shard1of1', end: 32, tensors: 1 }]);
    expect(externalDataRefs(tinyReluModel())).toEqual([]);
    expect(() => externalDataRefs(Uint8Array.from([0x3a, 0x20, 1]))).toThrow('Expected an ONNX model but received a field running past its message');
  });

  it('materializes the graph with its shard in the cache and onnxruntime runs it; reused the second time', async () => {
    const s = setup(SHARD);
    const file = await materializeGraph(s.ref, s.vgg, s.cache, SHARDS);
    expect(file).toBe(path.join(cacheFolder(s.cache, s.ref), 'tiny-learn.onnx'));
    expect(readdirSync(s.cache)).toEqual([path.basename(cacheFolder(s.cache, s.ref))]);
    const session = await ort.InferenceSession.create(file);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [4]) });
    expect(Array.from(out['y']?.data as Float32Array)).toEqual([11, 22, 33, 44]);
    await session.release();
    const mtime = statSync(file).mtimeMs;
    expect(await materializeGraph(s.ref, s.vgg, s.cache, SHARDS)).toBe(file);
    expect(statSync(file).mtimeMs).toBe(mtime);
  });

  it('names a missing or short shard, and leaves no cache folder', async () => {
    const none = setup(null);
    await expect(materializeGraph(none.ref, none.vgg, none.cache, SHARDS)).rejects.toThrow(
      `Expected the VGG19 weights file ${path.join(none.vgg, 'group9-shard1of1')} (read by tiny-learn.onnx as vgg19/group9-shard1of1) but it is missing`,
    );
    const short = setup(SHARD.subarray(0, 20));
    await expect(materializeGraph(short.ref, short.vgg, short.cache, SHARDS)).rejects.toThrow(
      `Expected at least 32 bytes in ${path.join(short.vgg, 'group9-shard1of1')} (read by tiny-learn.onnx) but received 20: a partial or different file`,
    );
    expect(readdirSync(short.dir).sort()).toEqual(['models', 'vgg19']);
  });

  it('refuses a shard of the right size whose bytes are not the manifest’s, and one it does not list', async () => {
    const changed = Buffer.from(SHARD);
    changed[20] = (changed[20] as number) ^ 1;
    const s = setup(changed);
    await expect(materializeGraph(s.ref, s.vgg, s.cache, SHARDS)).rejects.toThrow(
      new RegExp(
        `^Expected ${path.join(s.vgg, 'group9-shard1of1')} with the sha256 ${SHARDS[0]?.sha256.slice(0, 12)}… of the manifest's learn\\.vgg but its bytes hash to [0-9a-f]{12}… \\(a changed or different file\\)$`,
      ),
    );
    expect(readdirSync(s.dir).sort()).toEqual(['models', 'vgg19']);
    const t = setup(SHARD);
    await expect(materializeGraph(t.ref, t.vgg, t.cache, [])).rejects.toThrow(
      "Expected vgg19/group9-shard1of1 (read by tiny-learn.onnx) among the VGG19 files of the manifest's learn.vgg but it is not listed",
    );
  });

  it('rebuilds a cached copy whose shard no longer matches', async () => {
    const s = setup(SHARD);
    const file = await materializeGraph(s.ref, s.vgg, s.cache, SHARDS);
    const cached = path.join(cacheFolder(s.cache, s.ref), 'vgg19', 'group9-shard1of1');
    writeFileSync(cached, Buffer.alloc(SHARD.length));
    expect(await materializeGraph(s.ref, s.vgg, s.cache, SHARDS)).toBe(file);
    expect(readFileSync(cached).equals(SHARD)).toBe(true);
  });

  it('refuses a graph whose bytes are not the manifest’s', async () => {
    const s = setup(SHARD);
    await expect(materializeGraph({ ...s.ref, sha256: '0'.repeat(64) }, s.vgg, s.cache, SHARDS)).rejects.toThrow(
      /^Expected .*tiny-learn\.onnx with the sha256 000000000000… of the manifest but its bytes hash to [0-9a-f]{12}… \(a changed or partial file\)$/,
    );
  });

  it('uses a graph without external data where it is', async () => {
    const dir = tmpDir('pastiche-learn-graph-');
    const file = path.join(dir, 'relu.onnx');
    const bytes = tinyReluModel();
    writeFileSync(file, bytes);
    const ref = { path: file, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    expect(await materializeGraph(ref, path.join(dir, 'none'), path.join(dir, 'cache'), [])).toBe(file);
    expect(readdirSync(dir)).toEqual(['relu.onnx']);
  });
});
