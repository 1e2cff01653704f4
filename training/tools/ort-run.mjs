// Runs an ONNX model with onnxruntime-node (the runtime the app ships) on raw float32 inputs, so the
// Python side can check parity against PyTorch without a Python onnxruntime.
// usage: node training/tools/ort-run.mjs model.onnx out.bin name=file.bin:d0,d1,... [...]
import { readFileSync, writeFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

const [model, out, ...feeds] = process.argv.slice(2);
if (!model || !out || feeds.length === 0) {
  console.error('usage: ort-run.mjs model.onnx out.bin name=file.bin:d0,d1,...');
  process.exit(2);
}
const inputs = {};
for (const spec of feeds) {
  const [name, rest] = spec.split('=');
  const [file, dims] = rest.split(':');
  const buf = readFileSync(file);
  const data = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  inputs[name] = new ort.Tensor('float32', data, dims.split(',').map(Number));
}
const session = await ort.InferenceSession.create(model);
const result = await session.run(inputs);
const first = result[session.outputNames[0]];
writeFileSync(out, Buffer.from(first.data.buffer, first.data.byteOffset, first.data.byteLength));
console.log(JSON.stringify({ output: session.outputNames[0], dims: first.dims }));
