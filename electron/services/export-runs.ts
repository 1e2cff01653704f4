// An export of several styles (the side-by-side view's) runs the engine's batch once per style,
// one after another into the same folder: each output is named by the template, so each style's
// file keeps its own name. Progress and the report cover all of them.
import type { BatchProgress, BatchReport, FileResult, StyleBlend, StylizeOptions } from '../common/types.js';
import type { EnginePort } from './engine-port.js';

type BatchOpts = Parameters<EnginePort['runBatch']>[2];

export async function runExport(
  engine: EnginePort,
  inputs: string[],
  outDir: string,
  opts: BatchOpts,
  styles: readonly (string | StyleBlend)[] | undefined,
  onProgress: (p: BatchProgress) => void,
  signal?: AbortSignal,
): Promise<BatchReport> {
  const list: StylizeOptions['style'][] = styles && styles.length > 0 ? [...styles] : [opts.style];
  const files: FileResult[] = [];
  let device: BatchReport['device'] = null;
  let done = 0;
  for (const [k, style] of list.entries()) {
    const left = list.length - k - 1;
    const r = await engine.runBatch(
      inputs,
      outDir,
      { ...opts, style },
      (p) => {
        // The styles still to come take as long per photo as this one is taking.
        const perFile = p.etaMs !== null && p.total > p.done ? p.etaMs / (p.total - p.done) : null;
        onProgress({ done: done + p.done, total: p.total * list.length, current: p.current, etaMs: p.etaMs === null || perFile === null ? p.etaMs : Math.round(p.etaMs + left * p.total * perFile) });
      },
      signal,
    );
    files.push(...r.files);
    done += r.files.length;
    device = r.device ?? device;
    if (r.cancelled || (r as { stoppedReason?: string }).stoppedReason) return { ...r, files, device };
  }
  return { files, device, cancelled: false };
}
