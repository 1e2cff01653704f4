// Which graph the CPU runs for the shipped pack: the int8 single-pass graph by default, float32 with
// precision 'fp32' (and always for tiles), checked from the worker's session-create trace spans.
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../../electron/engine/index.js';
import { packEngines, tmpDir, tracingSpawner, writePhoto, type SessionTrace } from '../engine/helpers.js';

const packEngine = packEngines();
const dir = tmpDir();

function cpuEngine(sessions: SessionTrace[], extra: { precision?: 'auto' | 'fp32'; tilePixels?: number } = {}): Promise<Engine> {
  return packEngine({ device: 'cpu', spawner: tracingSpawner(process.env, sessions), ...extra });
}

describe('CPU precision', () => {
  it('runs the int8 graph by default and the float32 one for precision fp32, with close results', async () => {
    const input = await writePhoto(path.join(dir, 'in', 'p.png'), 160, 120, 5);
    const auto: SessionTrace[] = [];
    const exact: SessionTrace[] = [];
    const a = await (await cpuEngine(auto)).stylizeFile(input, { outputPath: path.join(dir, 'int8.png') }, { style: 'udnie' });
    const f = await (await cpuEngine(exact, { precision: 'fp32' })).stylizeFile(input, { outputPath: path.join(dir, 'fp32.png') }, { style: 'udnie' });
    expect([a.status, f.status]).toEqual(['ok', 'ok']);
    expect(auto).toEqual([{ provider: 'cpu', file: 'pastiche-pack16-vec-int8.onnx' }]);
    expect(exact).toEqual([{ provider: 'cpu', file: 'pastiche-pack16-vec-single.onnx' }]);
    const [x, y] = await Promise.all([a, f].map((r) => sharp(r.output!).raw().toBuffer()));
    let sum = 0;
    for (let i = 0; i < x!.length; i++) sum += Math.abs(x![i]! - y![i]!);
    const mean = sum / x!.length;
    // Different arithmetic, same picture: the quality check itself is the Kodak evaluation (manifest).
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(4);
  });

  it('warm-up loads the graph one-pass photos use, so the first photo pays no session start', async () => {
    const sessions: SessionTrace[] = [];
    const e = await cpuEngine(sessions);
    await e.warmup('great-wave');
    expect(sessions).toEqual([{ provider: 'cpu', file: 'pastiche-pack16-vec-int8.onnx' }]);
    const input = await writePhoto(path.join(dir, 'in', 'w.png'), 96, 64, 7);
    expect((await e.stylizeFile(input, { outputPath: path.join(dir, 'w.png') }, { style: 'great-wave' })).status).toBe('ok');
    expect(sessions).toHaveLength(1);
  });

  it('tiles stay float32: the int8 graph is single-pass only', async () => {
    const input = await writePhoto(path.join(dir, 'in', 't.png'), 320, 240, 6);
    const sessions: SessionTrace[] = [];
    const r = await (await cpuEngine(sessions, { tilePixels: 65_536 })).stylizeFile(input, { outputPath: path.join(dir, 't.png') }, {});
    expect(r.status).toBe('ok');
    expect(sessions.map((s) => s.file).sort()).toEqual(['pastiche-pack16-vec-tiles.onnx', 'pastiche-pack16-vec.onnx']);
  });

  it('rejects an unknown precision with a precise message', async () => {
    await expect(packEngine({ precision: 'int4' as 'auto' })).rejects.toThrow("Expected one of auto, fp32 for precision but received 'int4'");
  });
});
