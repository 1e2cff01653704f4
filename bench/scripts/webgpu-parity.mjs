// Raw model outputs on WebGPU against the CPU provider, same input, style 0 (docs/performance.md).
// Needs a WebGPU adapter; without a GPU, Mesa's software one (PASTICHE_SOFTWARE_GPU=1 bash
// scripts/setup-system.sh). This script loads onnxruntime-node directly, so no driver is hidden.
// usage: node bench/scripts/webgpu-parity.mjs [model.onnx ...] [--size 96x64]
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

// onnxruntime's telemetry off before the first session (electron/worker/no-telemetry.ts says why).
process.env.ORT_DISABLE_TELEMETRY = '1';

const args = process.argv.slice(2);
const si = args.indexOf('--size');
const [W, H] = (si >= 0 ? args.splice(si, 2)[1] : '96x64').split('x').map(Number);
const files = args.length ? args : ['models/pastiche-pack16-vec.onnx', 'models/pastiche-pack16-vec-single.onnx', 'models/pastiche-pack16-vec-fp16.onnx'];
const STYLE_0 = Float32Array.from(JSON.parse(readFileSync('models/styles/starry-night.json', 'utf8')).vector);
// A deterministic texture covering 0-255.
const x = new Float32Array(3 * W * H).map((_, i) => (i * 37) % 256);

for (const file of files) {
  const outs = {};
  for (const ep of ['cpu', 'webgpu']) {
    const s = await ort.InferenceSession.create(file, { executionProviders: [ep], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
    const styles = s.inputMetadata.find((m) => m.name === 'style')?.shape?.[1];
    const feeds = { input: new ort.Tensor('float32', x, [1, 3, H, W]) };
    // Vector-input graphs take style 0's vector from its style file (docs/styles.md).
    if (s.inputNames.includes('style_vector')) feeds.style_vector = new ort.Tensor('float32', STYLE_0, [1, STYLE_0.length]);
    if (typeof styles === 'number') feeds.style = new ort.Tensor('float32', Float32Array.from({ length: styles }, (_, i) => (i === 0 ? 1 : 0)), [1, styles]);
    outs[ep] = (await s.run(feeds)).output.data;
    await s.release();
  }
  let max = 0;
  let sum = 0;
  for (let i = 0; i < outs.cpu.length; i++) {
    const d = Math.abs(outs.cpu[i] - outs.webgpu[i]);
    max = Math.max(max, d);
    sum += d;
  }
  console.log(`${file} ${W}x${H}: webgpu vs cpu max ${max.toPrecision(3)}, mean ${(sum / outs.cpu.length).toPrecision(3)} (0-255 scale)`);
}
