// Many runs of one ONNX model with onnxruntime-node's CPU provider (the runtime the app ships), for
// evaluation and calibration from Python without a Python onnxruntime: one session, one process.
// usage: node training/tools/ort-batch.mjs jobs.json
//   jobs.json: {"model": "m.onnx", "threads": 2, "ranges": false,
//               "jobs": [{"feeds": {"input": {"file": "x.bin", "dims": [1,3,h,w]}, ...}, "out": "y.bin"}]}
// Writes each job's first output (float32) to its "out" when given. With "ranges": true it also
// records, per graph output, the min and max over all jobs (calibration of int8 graphs, whose
// extra outputs are the tensors to quantize); "ranges": "channel" records them per channel (axis 1)
// of NCHW outputs. Prints one JSON line: {output, dims: [...], ranges: {name: {min, max}}}, where
// min and max are numbers, or arrays per channel.
// Feeds are float32. A graph with 8-bit RGB I/O (training/deploy/rgb8.py) gets its image input rounded
// and interleaved (NHWC uint8), and its output is written back as float32 NCHW: callers see one
// format whatever the graph takes.
// A job may also name outputs to write, "outs": {"grad": "g.bin", ...} (float32; their dims are printed
// per job in "outDims"), and "time": true records each job's session.run wall time in ms ("ms").
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const spec = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const session = await ort.InferenceSession.create(spec.model, {
  executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: spec.threads ?? 0, logSeverityLevel: 3,
});
const ranges = {};
const dims = [];
const outDims = [];
const ms = [];
const first = session.outputNames[0];
const rgb8 = new Set(session.inputMetadata.filter((m) => m.isTensor && m.type === 'uint8').map((m) => m.name));
if (rgb8.size && spec.ranges) throw new Error('ranges need a float32 graph; this one takes 8-bit RGB');

/** float32 [1,3,h,w] (0-255) as uint8 [1,h,w,3]. */
function toRgb8(x, [n, c, h, w]) {
  if (n !== 1 || c !== 3) throw new Error(`an 8-bit RGB input needs dims [1,3,h,w], not [${[n, c, h, w]}]`);
  const out = new Uint8Array(h * w * 3);
  const plane = h * w;
  for (let i = 0; i < plane; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = Math.min(255, Math.max(0, Math.round(x[k * plane + i])));
  return out;
}

/** uint8 [1,h,w,3] as float32 [1,3,h,w]. */
function fromRgb8(t) {
  const [, h, w] = t.dims;
  const plane = h * w;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let k = 0; k < 3; k++) out[k * plane + i] = t.data[i * 3 + k];
  return { data: out, dims: [1, 3, h, w] };
}

for (const job of spec.jobs) {
  const feeds = {};
  for (const [name, f] of Object.entries(job.feeds)) {
    const buf = readFileSync(f.file);
    const x = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
    feeds[name] = rgb8.has(name)
      ? new ort.Tensor('uint8', toRgb8(x, f.dims), [1, f.dims[2], f.dims[3], 3])
      : new ort.Tensor('float32', x, f.dims);
  }
  const t0 = performance.now();
  const out = await session.run(feeds);
  if (spec.time) ms.push(performance.now() - t0);
  if (job.outs) {
    const d = {};
    for (const [name, file] of Object.entries(job.outs)) {
      const t = out[name];
      if (!t) throw new Error(`no output ${name}; the graph has ${session.outputNames.join(', ')}`);
      writeFileSync(file, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength));
      d[name] = t.dims;
    }
    outDims.push(d);
  }
  const y = out[first].type === 'uint8' ? fromRgb8(out[first]) : out[first];
  dims.push(y.dims);
  if (job.out) writeFileSync(job.out, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  if (spec.ranges) {
    for (const [name, t] of Object.entries(out)) {
      const d = t.data;
      const perChannel = spec.ranges === 'channel' && t.dims.length === 4;
      const channels = perChannel ? t.dims[1] : 1;
      const plane = d.length / channels;
      const r = (ranges[name] ??= { min: new Array(channels).fill(Infinity), max: new Array(channels).fill(-Infinity) });
      for (let c = 0; c < channels; c++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = c * plane, end = i + plane; i < end; i++) {
          const v = d[i];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        r.min[c] = Math.min(r.min[c], lo);
        r.max[c] = Math.max(r.max[c], hi);
      }
    }
  }
}
if (spec.ranges !== 'channel') for (const r of Object.values(ranges)) [r.min, r.max] = [r.min[0], r.max[0]];
console.log(JSON.stringify({ output: first, dims, ranges: spec.ranges ? ranges : null, outDims, ms }));
