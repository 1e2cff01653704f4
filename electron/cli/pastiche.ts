// The `pastiche` command line. Exit codes: 0 all ok, 1 some files failed (or a command
// failed), 2 usage error (the message names the flag), 130 cancelled with Ctrl-C.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PasticheError } from '../common/errors.js';
import {
  BENCH_BATCH,
  BENCH_RUNS,
  BENCH_WARMUPS,
  checkInteger,
  ParamError,
  parseDevice,
  parsePrecision,
  parseFormat,
  parseQuality,
  parseSize,
  parseStrength,
  parseStyleSpec,
  parseThreads,
  TILE_PIXELS,
} from '../common/params.js';
import type { BatchProgress, FileResult } from '../common/types.js';
import { Engine, type EngineOptions, type EngineStylizeInput } from '../engine/index.js';
import { parseBenchSize, runBench, type BenchOptions, type BenchReport } from '../engine/bench.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export class UsageError extends Error {}

export interface Command {
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

const COMMON_OPTIONS = {
  'models-dir': { type: 'string' },
  device: { type: 'string' },
  precision: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, positionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Runs a flag validator; its ParamError becomes a usage error naming the flag. */
function flag<T>(name: string, v: string | undefined, fn: (v: unknown, name: string) => T): T | undefined {
  if (v === undefined) return undefined;
  try {
    return fn(v, name);
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(`--${name}: ${e.message}`);
    throw e;
  }
}

function engineOptions(values: { 'models-dir'?: string | undefined; device?: string | undefined; precision?: string | undefined; threads?: string | undefined }): EngineOptions {
  const o: EngineOptions = {};
  if (values['models-dir']) o.modelsDir = values['models-dir'];
  const device = flag('device', values.device, parseDevice);
  if (device) o.device = device;
  const precision = flag('precision', values.precision, parsePrecision);
  if (precision) o.precision = precision;
  const threads = flag('threads', values.threads, parseThreads);
  if (threads) o.threads = threads;
  return o;
}

function write(s: NodeJS.WritableStream, text: string): void {
  s.write(text.endsWith('\n') ? text : `${text}\n`);
}

// ---- styles ----------------------------------------------------------------------------

const styles: Command = {
  summary: 'List the built-in styles',
  usage: 'pastiche styles [--json] [--models-dir DIR]',
  async run(argv, io) {
    const { values } = parse(argv, COMMON_OPTIONS);
    if (values.help) return help(io, 'styles');
    const engine = await Engine.create(engineOptions(values));
    try {
      const list = engine.styles();
      for (const e of engine.modelErrors()) write(io.stderr, `warning: ${e.message}`);
      if (values.json) write(io.stdout, JSON.stringify(list));
      else {
        const w = Math.max(4, ...list.map((s) => s.id.length));
        for (const s of list) write(io.stdout, `${s.id.padEnd(w)}  ${s.title}${s.artist ? ` (${s.artist}${s.year ? `, ${s.year}` : ''})` : ''}  [${s.model}]`);
      }
      return list.length === 0 ? 1 : 0;
    } finally {
      await engine.close();
    }
  },
};

// ---- stylize ---------------------------------------------------------------------------

const STYLIZE_OPTIONS = {
  ...COMMON_OPTIONS,
  style: { type: 'string', short: 's' },
  out: { type: 'string', short: 'o' },
  size: { type: 'string' },
  strength: { type: 'string' },
  'preserve-colors': { type: 'boolean' },
  format: { type: 'string', short: 'f' },
  quality: { type: 'string', short: 'q' },
  recursive: { type: 'boolean', short: 'r' },
  'skip-existing': { type: 'boolean' },
  'strip-gps': { type: 'boolean' },
  'no-metadata': { type: 'boolean' },
  upscale: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

function fmtMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function progressBar(io: CliIo): ((p: BatchProgress) => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  return (p) => {
    const width = 24;
    const filled = p.total ? Math.round((p.done / p.total) * width) : 0;
    const eta = p.etaMs === null ? '' : ` ETA ${fmtMs(p.etaMs)}`;
    const cur = p.current ? ` ${path.basename(p.current)}` : '';
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total}${eta}${cur}`;
    io.stderr.write(`\r\x1b[K${line.slice(0, (io.stderr.columns ?? 100) - 1)}`);
  };
}

const stylize: Command = {
  summary: 'Stylize photos and folders into an output folder',
  usage: [
    'pastiche stylize <input...> --out DIR [options]',
    '  -s, --style ID|ID=W,ID=W  style or blend of styles of one model (default: first style)',
    '      --style all           every style, one after another, each into DIR/<style id>/',
    '  -o, --out DIR             output folder (created if missing)',
    '      --size N|original     long edge in pixels (default original; never upscales unless --upscale)',
    '      --strength X          0 (photo) .. 1 (full style), default 1',
    "      --preserve-colors     keep the photo's colours (luminance-only transfer)",
    '  -f, --format FMT          jpg|png|webp|tiff|avif (default jpg)',
    '  -q, --quality Q           1-100 (default 92)',
    '      --device D            auto|cpu|gpu (default auto)',
    '      --precision P         auto (int8 on the CPU, fp16 on GPUs, at equal measured quality) or fp32',
    '  -r, --recursive           descend into folders, mirroring the tree',
    '      --skip-existing       leave outputs that already exist (resume)',
    '      --strip-gps           remove GPS location from the metadata',
    '      --no-metadata         write no EXIF/XMP/ICC metadata',
    '      --json                print one JSON report on stdout',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parse(argv, STYLIZE_OPTIONS, true);
    if (values.help) return help(io, 'stylize');
    if (positionals.length === 0) throw new UsageError("Missing input: give one or more photos or folders (put names starting with '-' after '--')");
    if (!values.out) throw new UsageError('Missing required option --out DIR');
    const opts: EngineStylizeInput & { recursive: boolean; skipExisting: boolean } = {
      recursive: Boolean(values.recursive),
      skipExisting: Boolean(values['skip-existing']),
      preserveColors: Boolean(values['preserve-colors']),
      stripGps: Boolean(values['strip-gps']),
      keepMetadata: !values['no-metadata'],
      allowUpscale: Boolean(values.upscale),
    };
    const everyStyle = values.style?.trim() === 'all';
    const style = everyStyle ? undefined : flag('style', values.style, parseStyleSpec);
    if (style !== undefined) opts.style = style;
    const size = flag('size', values.size, parseSize);
    if (size !== undefined) opts.size = size;
    const strength = flag('strength', values.strength, parseStrength);
    if (strength !== undefined) opts.strength = strength;
    const format = flag('format', values.format, parseFormat);
    if (format !== undefined) opts.format = format;
    const quality = flag('quality', values.quality, parseQuality);
    if (quality !== undefined) opts.quality = quality;
    const engineOpts = engineOptions(values);

    try {
      await mkdir(values.out, { recursive: true });
    } catch (e) {
      throw new UsageError(`--out: cannot create output folder ${values.out}: ${(e as Error).message}`);
    }
    const engine = await Engine.create(engineOpts);
    const stop = new AbortController();
    const abort = new AbortController();
    let interrupts = 0;
    const onSigint = (): void => {
      interrupts++;
      if (interrupts === 1) {
        stop.abort();
        write(io.stderr, '\nStopping after the current file (Ctrl-C again to abort it)...');
      } else {
        abort.abort();
      }
    };
    process.on('SIGINT', onSigint);
    engine.on('worker-crash', (c) => write(io.stderr, `\nwarning: ${c.message}`));
    try {
      if (!opts.style && engine.styles().length === 0) {
        const why =
          engine
            .modelErrors()
            .map((e) => e.message)
            .join('; ') || `no models in ${engine.modelsDir}`;
        write(io.stderr, `pastiche: no styles available (${why})`);
        return 1;
      }
      if (style !== undefined) {
        try {
          // Unknown style ids are a usage error, caught before any work starts.
          engine.checkStyle(style);
        } catch (e) {
          if (e instanceof ParamError) throw new UsageError(`--style: ${e.message}`);
          throw e;
        }
      }
      // --style all: one engine (one worker, models loaded once) runs the same inputs in every style.
      const outDir = values.out;
      const runs = everyStyle ? engine.styles().map((s) => ({ style: s.id, out: path.join(outDir, s.id) })) : [{ style: undefined, out: outDir }];
      const results: (FileResult & { style?: string })[] = [];
      let report: Awaited<ReturnType<typeof engine.runBatch>> | undefined;
      const bar = values.json ? undefined : progressBar(io);
      for (const run of runs) {
        if (run.out !== outDir) {
          try {
            await mkdir(run.out, { recursive: true });
          } catch (e) {
            throw new UsageError(`--out: cannot create output folder ${run.out}: ${(e as Error).message}`);
          }
        }
        try {
          report = await engine.runBatch(positionals, run.out, { ...opts, ...(run.style ? { style: run.style } : {}), stopSignal: stop.signal }, bar, abort.signal);
        } catch (e) {
          if (e instanceof PasticheError && e.code === 'OUTPUT') throw new UsageError(`--out: ${e.message}`);
          if (e instanceof ParamError) throw new UsageError(`--${e.param}: ${e.message}`);
          throw e;
        }
        results.push(...report.files.map((f) => (run.style ? { ...f, style: run.style } : f)));
        if (report.cancelled || report.stoppedReason) break;
      }
      if (!report) throw new Error('no styles to run');
      report = { ...report, files: results };
      if (bar) io.stderr.write('\r\x1b[K');
      const files = results.map((f) => {
        const o: Pick<FileResult, 'input' | 'output' | 'status' | 'error' | 'warnings' | 'ms' | 'device'> & { style?: string } = {
          input: f.input,
          output: f.output,
          status: f.status,
          ms: f.ms,
          device: f.device,
        };
        if (f.style) o.style = f.style;
        if (f.error) o.error = f.error;
        if (f.warnings?.length) o.warnings = f.warnings;
        return o;
      });
      if (values.json) {
        write(io.stdout, JSON.stringify({ files, device: report.device }));
      } else {
        for (const f of report.files) {
          if (f.status === 'ok') write(io.stdout, `ok      ${f.input} -> ${f.output} (${fmtMs(f.ms)}, ${f.device})`);
          else if (f.status === 'skipped') write(io.stdout, `skipped ${f.input}${f.error ? ` (${f.error})` : ' (output exists)'}`);
          else write(io.stderr, `failed  ${f.input}: ${f.error ?? 'unknown error'}`);
          for (const w of f.warnings ?? []) write(io.stderr, `warning ${f.input}: ${w}`);
        }
        const dev = engine.deviceReport();
        if (dev?.fallbackReason) write(io.stderr, `note: ran on ${dev.provider} (GPU unavailable: ${dev.fallbackReason})`);
        const n = (s: string): number => report.files.filter((f) => f.status === s).length;
        write(io.stderr, `${n('ok')} done, ${n('failed')} failed, ${n('skipped')} skipped${report.stoppedReason ? ` - stopped: ${report.stoppedReason}` : ''}`);
      }
      if (report.cancelled) return 130;
      return report.files.some((f) => f.status === 'failed') || report.stoppedReason ? 1 : 0;
    } finally {
      process.off('SIGINT', onSigint);
      await engine.close();
    }
  },
};

// ---- doctor ----------------------------------------------------------------------------

const doctor: Command = {
  summary: 'Check the installation: versions, GPU providers, models',
  usage: 'pastiche doctor [--json] [--models-dir DIR]',
  async run(argv, io) {
    const { values } = parse(argv, COMMON_OPTIONS);
    if (values.help) return help(io, 'doctor');
    const engine = await Engine.create(engineOptions(values));
    try {
      const d = await engine.doctor();
      if (values.json) {
        write(io.stdout, JSON.stringify(d));
        return 0;
      }
      const lines = [
        `platform      ${d.platform} ${d.arch}, ${d.cpus} cores`,
        `node          ${d.node}${d.electron ? ` (electron ${d.electron})` : ''}`,
        `onnxruntime   ${d.onnxruntime}`,
        `sharp         ${d.sharp} (libvips ${d.libvips})`,
        `providers     ${d.backends.map((b) => `${b.name}${b.bundled ? '' : ' (not bundled)'}`).join(', ')}`,
        ...d.probes.map((p) => `  ${p.name.padEnd(11)} ${p.ok ? 'ok' : `unavailable: ${p.error ?? ''}`}`),
        `GPU adapter   ${d.gpuAdapterFound ? 'found' : 'not found (CPU will be used)'}`,
        `models        ${d.modelsDir}`,
        ...d.models.map((m) => `  ${(m.id ?? '(manifest)').padEnd(20)} ${m.ok ? `ok (${m.styles.join(', ')})` : `BROKEN: ${m.error ?? ''}`}`),
      ];
      write(io.stdout, lines.join('\n'));
      return 0;
    } finally {
      await engine.close();
    }
  },
};

// ---- bench -----------------------------------------------------------------------------

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
} as const satisfies ParseArgsConfig['options'];

function fmtBytes(b: number | null): string {
  return b === null ? '-' : `${(b / 2 ** 30).toFixed(2)} GiB`;
}

const bench: Command = {
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
    '      --json                print the results JSON on stdout',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parse(argv, BENCH_OPTIONS);
    if (values.help) return help(io, 'bench');
    const sizes = (values.sizes ?? '512,720p,1080p,4k')
      .split(',')
      .filter(Boolean)
      .map((x) => {
        try {
          return parseBenchSize(x);
        } catch (e) {
          throw new UsageError(`--sizes: ${(e as Error).message}`);
        }
      });
    if (sizes.length === 0) throw new UsageError('--sizes: no size given');
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
          `${r.modelId.padEnd(16)} ${r.size.padEnd(9)} ${r.device.padEnd(4)} ${(r.provider ?? '-').padEnd(6)} infer ${r.inferMs ? `${r.inferMs.median} ms` : '-'}  end-to-end ${e2e}  peak RSS ${fmtBytes(r.peakRssBytes)}  tiles ${r.tiles}${r.error ? `  FAILED: ${r.error}` : ''}`,
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
      write(io.stderr, `results: ${file}`);
    }
    return report.results.some((r) => r.error) ? 1 : 0;
  },
};

/** Subcommands. */
export const commands: Record<string, Command> = { styles, stylize, doctor, bench };

function help(io: CliIo, cmd?: string): number {
  const c = cmd ? commands[cmd] : undefined;
  if (c) {
    write(io.stdout, `${c.summary}\n\nUsage: ${c.usage}`);
    return 0;
  }
  const list = Object.entries(commands)
    .map(([n, x]) => `  ${n.padEnd(10)} ${x.summary}`)
    .join('\n');
  write(io.stdout, `pastiche - turn photos into paintings\n\nUsage: pastiche <command> [options]\n\nCommands:\n${list}\n\nRun 'pastiche <command> --help' for a command's options.`);
  return 0;
}

export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') return help(io, rest[0]);
  const c = commands[cmd];
  if (!c) {
    write(io.stderr, `pastiche: unknown command '${cmd}' (expected one of ${Object.keys(commands).join(', ')})`);
    return 2;
  }
  try {
    return await c.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      write(io.stderr, `pastiche ${cmd}: ${e.message}\nRun 'pastiche ${cmd} --help' for usage.`);
      return 2;
    }
    write(io.stderr, `pastiche ${cmd}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
