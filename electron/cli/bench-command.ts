// `pastiche bench`: timed runs per size and device (electron/bench/bench.ts), written as JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { BENCH_BATCH, BENCH_RUNS, BENCH_WARMUPS, checkInteger, parseBrush, parseDevice, parsePrecision, parseThreads, TILE_PIXELS } from '../common/params.js';
import { runBench } from '../bench/bench.js';
import { BRUSH_TARGETS, parseBenchSize, type BenchOptions, type BenchReport } from '../bench/bench-report.js';
import { COMMON_OPTIONS, commandHelp, flag, parse, UsageError, write, type Command } from './args.js';

const BENCH_OPTIONS = {
  ...COMMON_OPTIONS,
  sizes: { type: 'string' },
  runs: { type: 'string' },
  warmups: { type: 'string' },
  out: { type: 'string', short: 'o' },
  style: { type: 'string', short: 's' },
  batch: { type: 'string' },
  'no-reference': { type: 'boolean' },
  'no-e2e': { type: 'boolean' },
  'tile-pixels': { type: 'string' },
  brush: { type: 'string' },
  photos: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

function fmtBytes(b: number | null): string {
  return b === null ? '-' : `${(b / 2 ** 30).toFixed(2)} GiB`;
}

export const bench: Command = {
  summary: 'Measure inference and end-to-end speed and peak memory per size and device',
  usage: [
    'pastiche bench [--json] [--sizes 512,720p,1080p,4k] [--device auto|cpu|gpu[,..]] [--runs N] [--out FILE]',
    '      --sizes LIST          N (square), WxH, 720p, 1080p, 4k (default 512,720p,1080p,4k)',
    '      --device D[,D]        auto|cpu|gpu, one entry each (default auto)',
    '      --precision P         auto|fp32: graphs of the built-in model (default auto)',
    '      --runs N              timed runs per entry, median reported (default 5; one warm-up first)',
    '      --warmups N           untimed runs first (default 1)',
    '  -o, --out FILE            results JSON (default bench-results/bench-<timestamp>.json)',
    '  -s, --style ID            style of the built-in model (default: first)',
    '      --batch N             also time a folder of N 1080p photos through the batch path',
    '      --no-reference        skip the reference generator (bench/models/reference-w32)',
    '      --no-e2e              inference only (no decode/encode/write runs)',
    '      --threads N           ORT intra-op threads (default: all cores)',
    "      --tile-pixels N       tile above N pixels (default: the engine's budget)",
    '      --brush N|native      brush of the size entries (default native: the model alone);',
    '                            with --photos, the brush compared with native (default 1024)',
    '      --photos A,B          brush targets on these photos: full-size export vs brush-size',
    '                            export (mean |diff|), vs its Lanczos upscale (Laplacian), vs native (time)',
    '      --json                print the results JSON on stdout',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parse(argv, BENCH_OPTIONS);
    if (values.help) return commandHelp(io, bench);
    const photos = values.photos?.split(',').filter(Boolean);
    const brush = flag('brush', values.brush, parseBrush);
    if (photos?.length && brush === 'native') throw new UsageError("--brush: the photo comparison needs a brush size, not 'native'");
    // With --photos alone only the photos run.
    const sizes = (values.sizes ?? (photos?.length ? '' : '512,720p,1080p,4k'))
      .split(',')
      .filter(Boolean)
      .map((x) => {
        try {
          return parseBenchSize(x);
        } catch (e) {
          throw new UsageError(`--sizes: ${(e as Error).message}`);
        }
      });
    if (sizes.length === 0 && !photos?.length) throw new UsageError('--sizes: no size given');
    const devices = (values.device ?? 'auto')
      .split(',')
      .filter(Boolean)
      .map((d) => flag('device', d, parseDevice) ?? 'auto');
    const opts: BenchOptions = {
      sizes,
      devices,
      runs: flag('runs', values.runs, (v, n) => checkInteger(n, v, BENCH_RUNS)) ?? 5,
      warmups: flag('warmups', values.warmups, (v, n) => checkInteger(n, v, BENCH_WARMUPS)) ?? 1,
      reference: !values['no-reference'],
      endToEnd: !values['no-e2e'],
      batch: flag('batch', values.batch, (v, n) => checkInteger(n, v, BENCH_BATCH)) ?? 0,
      tilePixels: flag('tile-pixels', values['tile-pixels'], (v, n) => checkInteger(n, v, TILE_PIXELS)),
      log: values.json ? () => undefined : (line) => write(io.stderr, line),
    };
    if (values['models-dir']) opts.modelsDir = values['models-dir'];
    if (values.style) opts.style = values.style;
    if (brush !== undefined) opts.brush = brush;
    if (photos?.length) opts.photos = photos.map((p) => path.resolve(p));
    const precision = flag('precision', values.precision, parsePrecision);
    if (precision) opts.precision = precision;
    const threads = flag('threads', values.threads, parseThreads);
    if (threads) opts.threads = threads;
    const report: BenchReport = await runBench(opts);
    const file = path.resolve(values.out ?? path.join('bench-results', `bench-${report.createdAt.replace(/[:.]/g, '-')}.json`));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(report, null, 1)}\n`);
    if (values.json) write(io.stdout, JSON.stringify(report));
    else {
      const m = report.machine;
      write(io.stdout, `${m.cpu}, ${m.cores} cores, ${fmtBytes(m.memoryBytes)}, ${m.os}, node ${m.node}, onnxruntime ${m.onnxruntime ?? '?'}, sharp ${m.sharp ?? '?'}`);
      for (const r of report.results) {
        const e2e = r.endToEndMs ? `${r.endToEndMs.median} ms` : '-';
        write(
          io.stdout,
          `${r.modelId.padEnd(16)} ${r.size.padEnd(9)} brush ${String(r.brush).padEnd(6)} ${r.device.padEnd(4)} ${(r.provider ?? '-').padEnd(6)} infer ${r.inferMs ? `${r.inferMs.median} ms` : '-'}  end-to-end ${e2e}  peak RSS ${fmtBytes(r.peakRssBytes)}  tiles ${r.tiles}${r.error ? `  FAILED: ${r.error}` : ''}`,
        );
      }
      for (const x of report.ratios) write(io.stdout, `ratio builtin/reference ${x.size} ${x.device}: ${x.builtinOverReference}`);
      if (report.batch) {
        const b = report.batch;
        write(
          io.stdout,
          `batch ${b.files} x 1080p: ${b.filesPerSecond} files/s, ${Math.round(b.efficiency * 100)}% of inference-only (${b.inferenceOnlyFilesPerSecond}/s: median ${b.inferenceOnlyMs.median} ms, before and after the batch)`,
        );
      }
      for (const b of report.brush) {
        const ok = (v: boolean): string => (v ? 'meets' : 'MISSES');
        write(
          io.stdout,
          `brush ${b.brush} ${path.basename(b.photo)} ${b.width}x${b.height}: diff at brush ${b.diffAtBrush} (${ok(b.meets.diff)} <= ${BRUSH_TARGETS.diffAtBrush}; JPEG exports ${b.diffAtBrushJpeg}), Laplacian ratio ${b.laplacianRatio} (${ok(b.meets.laplacian)} >= ${BRUSH_TARGETS.laplacianRatio}), time vs native ${b.timeRatio} (${b.brushMs.median} / ${b.nativeMs.median} ms, ${ok(b.meets.time)} <= ${BRUSH_TARGETS.timeRatio})`,
        );
      }
      write(io.stderr, `results: ${file}`);
    }
    return report.results.some((r) => r.error) ? 1 : 0;
  },
};
