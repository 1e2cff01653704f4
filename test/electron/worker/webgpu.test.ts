// The worker's GPU path (onnxruntime-node's WebGPU provider), run for real with the shipped pack on
// whatever WebGPU adapter this machine has. CI installs Mesa's software Vulkan driver
// (scripts/setup-system.sh, PASTICHE_SOFTWARE_GPU=1), so this runs there without a GPU; a machine
// with no adapter at all skips it and prints why.
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Engine, EngineOptions } from '../../../electron/engine/index.js';
import { softwareDriverPolicy } from '../../../electron/worker/gpu-drivers.js';
import { packEngines, tmpDir, tracingSpawner, writePhoto, type SessionTrace } from '../engine/helpers.js';

const allow: NodeJS.ProcessEnv = { ...process.env, PASTICHE_ALLOW_SOFTWARE_GPU: '1' };
const packEngine = packEngines();
function engine(opts: Partial<EngineOptions>, env: NodeJS.ProcessEnv, sessions: SessionTrace[] = []): Promise<Engine> {
  return packEngine({ spawner: tracingSpawner(env, sessions), ...opts });
}

const probe = (await (await engine({ device: 'cpu' }, allow)).doctor()).probes.find((p) => p.name === 'webgpu');
const noAdapter = probe?.ok ? null : `no WebGPU adapter on this machine (${probe?.error ?? 'webgpu not bundled'})`;
if (noAdapter) console.log(`[webgpu.test] skipped: ${noAdapter}; scripts/setup-system.sh with PASTICHE_SOFTWARE_GPU=1 installs a software one`);
// A hidden software driver that gives an adapter when allowed: this machine's adapter is a software one.
const hidden = softwareDriverPolicy(process.env, process.platform).hidden;
const noSoftware = noAdapter ?? (hidden.length ? null : 'the WebGPU adapter here is not a software one');

async function pixels(file: string): Promise<Buffer> {
  return sharp(file).removeAlpha().raw().toBuffer();
}

function diff(a: Buffer, b: Buffer): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

describe.skipIf(noAdapter !== null)('WebGPU path', () => {
  const dir = tmpDir();

  it("stylizes on WebGPU with the fp16 graph, matching the CPU's float32 graph to fp16 precision", async () => {
    const input = await writePhoto(path.join(dir, 'in', 'one.png'), 128, 96);
    const gpuSessions: SessionTrace[] = [];
    const gpu = await engine({ device: 'gpu' }, allow, gpuSessions);
    const cpu = await engine({ device: 'cpu', precision: 'fp32' }, allow);
    const settings = { style: 'great-wave' };
    const g = await gpu.stylizeFile(input, { outputPath: path.join(dir, 'gpu.png') }, settings);
    const c = await cpu.stylizeFile(input, { outputPath: path.join(dir, 'cpu.png') }, settings);
    expect(g).toMatchObject({ status: 'ok', device: 'webgpu' });
    expect(c).toMatchObject({ status: 'ok', device: 'cpu' });
    expect(gpuSessions).toEqual([{ provider: 'webgpu', file: 'pastiche-pack16-vec-fp16.onnx' }]);
    const d = diff(await pixels(g.output!), await pixels(c.output!));
    // fp16 activations: a few levels at most, on average well under one.
    expect(d.max).toBeLessThanOrEqual(12);
    expect(d.mean).toBeLessThan(1);
    expect(d.max).toBeGreaterThan(0);
  });

  it("tiles on WebGPU with the fp16 tile graph, matching the CPU's tiles", async () => {
    const input = await writePhoto(path.join(dir, 'in', 'big.png'), 288, 208, 3);
    const tiling = { tilePixels: 40_000, statsEdge: 128 };
    const gpuSessions: SessionTrace[] = [];
    const gpu = await engine({ device: 'gpu', ...tiling }, allow, gpuSessions);
    const cpu = await engine({ device: 'cpu', precision: 'fp32', ...tiling }, allow);
    const g = await gpu.stylizeFile(input, { outputPath: path.join(dir, 'gpu-tiles.png') }, { style: 'the-scream' });
    const c = await cpu.stylizeFile(input, { outputPath: path.join(dir, 'cpu-tiles.png') }, { style: 'the-scream' });
    expect(g.error).toBeUndefined();
    expect(g).toMatchObject({ status: 'ok', device: 'webgpu' });
    expect(c).toMatchObject({ status: 'ok', device: 'cpu' });
    // The full graph once for the statistics, then the tile graph: the tiled path ran on the GPU.
    expect(gpuSessions.map((s) => s.file).sort()).toEqual(['pastiche-pack16-vec-fp16-tiles.onnx', 'pastiche-pack16-vec-fp16.onnx']);
    expect(gpuSessions.every((s) => s.provider === 'webgpu')).toBe(true);
    const d = diff(await pixels(g.output!), await pixels(c.output!));
    expect(d.max).toBeLessThanOrEqual(12);
    expect(d.mean).toBeLessThan(1);
  });

  it.skipIf(noSoftware !== null)('auto does not use a software adapter: CPU, and the report says why', async () => {
    const input = await writePhoto(path.join(dir, 'in', 'auto.png'), 64, 48);
    const sessions: SessionTrace[] = [];
    const auto = await engine({ device: 'auto' }, { ...process.env, PASTICHE_ALLOW_SOFTWARE_GPU: '' }, sessions);
    const r = await auto.stylizeFile(input, { outputPath: path.join(dir, 'auto.png') }, {});
    expect(r).toMatchObject({ status: 'ok', device: 'cpu' });
    // Spans are logged for failed attempts too: WebGPU was tried and refused, the CPU ran.
    expect(sessions.at(-1)).toEqual({ provider: 'cpu', file: 'pastiche-pack16-vec-int8.onnx' });
    expect(auto.deviceReport()?.fallbackReason).toMatch(/webgpu: .*software Vulkan driver .*lvp_icd.* ignored: it runs on the CPU/);
  });
});
if (noSoftware && !noAdapter) console.log(`[webgpu.test] software-adapter check skipped: ${noSoftware}`);
