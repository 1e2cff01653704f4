import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, type WorkerCrash } from '../../../electron/engine/index.js';
import { FIXTURE_MODELS, ROOT, WORKER, ensureBuilt, tmpDir, writePhoto } from './helpers.js';

beforeAll(() => {
  ensureBuilt();
});

describe('supervisor', () => {
  it('worker SIGKILLed mid-batch: crash reported, restarted, job retried once, batch completes', async () => {
    const d = tmpDir();
    const inputs = [];
    for (let i = 0; i < 4; i++) inputs.push(await writePhoto(path.join(d, 'in', `k${i}.png`), 160, 160, i + 1));
    const out = path.join(d, 'out');
    mkdirSync(out);
    // A worker that SIGKILLs itself when the second photo's job reaches it, once (a marker file):
    // the job is in flight when the worker dies, however fast the machine. Killed from here at the
    // photo's start instead, the worker's exit could be seen before the job was even sent.
    const killed = path.join(d, 'killed-once');
    const killer = path.join(d, 'kill-once-worker.mjs');
    writeFileSync(
      killer,
      `
      import { existsSync, writeFileSync } from 'node:fs';
      // Import first: IPC messages wait in the pipe until the real worker starts listening.
      await import(${JSON.stringify(WORKER)});
      process.on('message', (m) => {
        if (m.type !== 'job' || m.kind !== 'stylize' || !m.job.input.endsWith('k1.png') || existsSync(${JSON.stringify(killed)})) return;
        writeFileSync(${JSON.stringify(killed)}, '');
        process.kill(process.pid, 'SIGKILL');
      });
    `,
    );
    const engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: killer, device: 'cpu', concurrency: 1 });
    const crashes: WorkerCrash[] = [];
    engine.on('worker-crash', (c) => crashes.push(c));
    try {
      const r = await engine.runBatch(inputs, out, {});
      expect(existsSync(killed)).toBe(true);
      expect(r.files.map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
      expect(crashes).toHaveLength(1);
      expect(crashes[0]).toMatchObject({ signal: 'SIGKILL', retried: true, message: expect.stringMatching(/killed by SIGKILL/) });
      expect(readdirSync(out).filter((n) => n.includes('pastiche-tmp'))).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('a worker that always crashes: that file fails with a clear error, the batch goes on', async () => {
    const d = tmpDir();
    // A stand-in worker that dies on every stylize job of a file named "poison".
    const crashy = path.join(ROOT, 'node_modules/.cache/pastiche-crashy-worker.mjs');
    mkdirSync(path.dirname(crashy), { recursive: true });
    writeFileSync(
      crashy,
      `
      // Import first: IPC messages wait in the pipe until the real worker starts listening.
      await import(${JSON.stringify(WORKER)});
      process.on('message', (m) => { if (m.type === 'job' && m.kind === 'stylize' && m.job.input.includes('poison')) process.kill(process.pid, 'SIGKILL'); });
    `,
    );
    const inputs = [await writePhoto(path.join(d, 'a.png')), await writePhoto(path.join(d, 'poison.png')), await writePhoto(path.join(d, 'b.png'))];
    const out = path.join(d, 'out');
    mkdirSync(out);
    const engine = await Engine.create({ modelsDir: FIXTURE_MODELS, workerPath: crashy, device: 'cpu', concurrency: 1 });
    const crashes: WorkerCrash[] = [];
    engine.on('crash', (c) => crashes.push(c));
    try {
      const r = await engine.runBatch(inputs, out, {});
      expect(r.files.map((f) => f.status)).toEqual(['ok', 'failed', 'ok']);
      expect(r.files[1]?.error).toMatch(/^The inference worker crashed 2 times while processing .*poison\.png \(killed by SIGKILL\); skipped$/);
      expect(crashes.map((c) => c.retried)).toEqual([true, false]);
    } finally {
      await engine.close();
    }
  });
});

describe('worker stderr filter', () => {
  it("drops only Dawn's and the Vulkan loader's no-GPU warnings and their location lines", async () => {
    const { isKnownWorkerNoise } = await import('../../../electron/engine/supervisor.js');
    expect(isKnownWorkerNoise("Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file", false)).toBe(true);
    expect(isKnownWorkerNoise('    at operator() (/build/Release/_deps/dawn-src/src/dawn/native/vulkan/BackendVk.cpp:368)', true)).toBe(true);
    expect(isKnownWorkerNoise('    at operator() (/build/Release/_deps/dawn-src/x.cpp:1)', false)).toBe(false);
    expect(isKnownWorkerNoise('Error: something real happened', false)).toBe(false);
    // Vulkan loader with its only driver hidden (gpu-drivers.ts), as printed on Debian 12 with Mesa 25.
    expect(isKnownWorkerNoise('Error: Loader Message: setup_loader_term_phys_devs:  Failed to detect any valid GPUs in the current config', false)).toBe(true);
    expect(isKnownWorkerNoise('Warning: vkEnumeratePhysicalDevices', false)).toBe(true);
    expect(isKnownWorkerNoise('    at GatherPhysicalDevices (/build/Release/_deps/dawn-src/src/dawn/native/vulkan/VulkanInfo.cpp:147)', true)).toBe(true);
    expect(isKnownWorkerNoise('Warning: vkEnumeratePhysicalDevices failed with a real error', false)).toBe(false);
  });
});
