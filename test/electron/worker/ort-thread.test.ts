// onnxruntime-node runs on a thread of its own in the worker (electron/worker/ort-host.ts): the
// worker's main thread keeps decoding and encoding while a photo is inferred. Checked from the
// worker's trace spans, whose end times share one clock.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../../electron/engine/index.js';
import { packEngines, spanSpawner, tmpDir, writePhoto, type TraceSpan } from '../engine/helpers.js';

const packEngine = packEngines();
const dir = tmpDir();

// Two inference threads on any machine: one per core on a many-core machine would shorten the runs
// against the decodes that must fit in them.
function engine(env: NodeJS.ProcessEnv, spans: TraceSpan[], concurrency = 2): Promise<Engine> {
  return packEngine({ device: 'cpu', concurrency, threads: 2, spawner: spanSpawner(env, (t) => spans.push(t)) });
}

describe('onnxruntime on its own thread', () => {
  it('the next photo is decoded while the current one is inferred', async () => {
    const inDir = path.join(dir, 'batch');
    for (let i = 0; i < 4; i++) await writePhoto(path.join(inDir, `p${i}.jpg`), 640, 480, i + 1);
    const spans: TraceSpan[] = [];
    mkdirSync(path.join(dir, 'out'));
    const r = await (await engine(process.env, spans)).runBatch([inDir], path.join(dir, 'out'), { style: 'udnie' });
    expect(r.files.map((f) => f.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const runs = spans.filter((s) => s.stage === 'ort-run');
    const decodes = spans.filter((s) => s.stage === 'decode');
    expect(runs).toHaveLength(4);
    // A decode that starts and ends within a run. With onnxruntime on the worker's main thread none
    // can: one started in a run's first moments (onnxruntime-node queues the call with setImmediate
    // before it blocks) ends after the run. Whole spans, not a margin in ms past the run's start,
    // which a fast machine's decodes could end within.
    const during = decodes.filter((d) => runs.some((x) => d.end - d.ms > x.end - x.ms && d.end < x.end));
    expect(during.length).toBeGreaterThan(0);
  });

  it('PASTICHE_ORT_THREAD=0 hosts it on the main thread instead, with the same output', async () => {
    const input = await writePhoto(path.join(dir, 'in', 'q.png'), 200, 150, 9);
    const outs: string[] = [];
    for (const [tag, env] of [
      ['thread', process.env],
      ['inline', { ...process.env, PASTICHE_ORT_THREAD: '0' }],
    ] as const) {
      const r = await (await engine(env, [])).stylizeFile(input, { outputPath: path.join(dir, `${tag}.png`) }, { style: 'udnie' });
      expect(r.status).toBe('ok');
      outs.push(r.output as string);
    }
    expect(readFileSync(outs[0] as string).equals(readFileSync(outs[1] as string))).toBe(true);
  });
});
