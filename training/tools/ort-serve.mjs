// One onnxruntime-node session (CPU provider) kept open for many runs requested one at a time, for a
// Python loop that needs each result before the next run (learning through a learning graph).
// usage: node training/tools/ort-serve.mjs model.onnx [threads]
// stdin: one JSON line per run, {"feeds": {name: {"file", "dims"}}, "outs": {name: file}} (float32
// raw files, as ort-batch.mjs); stdout: one JSON line per run, {"dims": {name: [...]}, "ms": n}.
// A graph with external data (the learning graphs: VGG19 shards) is given by its path in a folder that
// has the data beside it (training/deploy/vgg_external.py learn_run_folder).
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import ort from 'onnxruntime-node';

const session = await ort.InferenceSession.create(process.argv[2] ?? '', {
  executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: Number(process.argv[3] ?? 0), logSeverityLevel: 3,
});
console.log(JSON.stringify({ ready: true }));
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const job = JSON.parse(line);
  const feeds = {};
  for (const [name, f] of Object.entries(job.feeds)) {
    const buf = readFileSync(f.file);
    feeds[name] = new ort.Tensor('float32', new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4), f.dims);
  }
  const t0 = performance.now();
  const out = await session.run(feeds);
  const ms = performance.now() - t0;
  const dims = {};
  for (const [name, file] of Object.entries(job.outs)) {
    const t = out[name];
    writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    dims[name] = t.dims;
  }
  console.log(JSON.stringify({ dims, ms }));
}
