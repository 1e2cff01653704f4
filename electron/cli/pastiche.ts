// The `pastiche` command line. Exit codes: 0 all ok, 1 some files failed (or a command
// failed), 2 usage error (the message names the flag), 130 cancelled with Ctrl-C.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { PasticheError } from '../common/errors.js';
import { BRUSH, brushChosen, DEFAULT_BRUSH, ParamError, parseBrush, parseFormat, parseQuality, parseSize, parseStrength, parseStyleSpec } from '../common/params.js';
import type { BatchProgress, FileResult } from '../common/types.js';
import { DEFAULT_NAME_TEMPLATE, parseNameTemplate } from '../common/output-names.js';
import { Engine, type BatchOptions } from '../engine/index.js';
import { COMMON_OPTIONS, commandHelp, engineOptions, flag, parse, UsageError, write, type CliIo, type Command } from './args.js';
import { bench } from './bench-command.js';
import { STYLES_SUBCOMMANDS_USAGE, stylesSubcommand } from './styles-command.js';

const styles: Command = {
  summary: 'List the styles: built-in ones and yours',
  usage: `pastiche styles [--json] [--models-dir DIR] [--styles-dir DIR]\n${STYLES_SUBCOMMANDS_USAGE}`,
  async run(argv, io) {
    const sub = stylesSubcommand(argv, io);
    if (sub) return sub;
    const { values } = parse(argv, COMMON_OPTIONS);
    if (values.help) return commandHelp(io, styles);
    const engine = await Engine.create(engineOptions(values));
    try {
      const list = engine.styles();
      for (const e of engine.modelErrors()) write(io.stderr, `warning: ${e.message}`);
      for (const p of engine.styleProblems()) write(io.stderr, `warning: ${p.message}`);
      if (values.json) write(io.stdout, JSON.stringify(list));
      else {
        const w = Math.max(4, ...list.map((s) => s.id.length));
        for (const s of list) write(io.stdout, `${s.id.padEnd(w)}  ${s.title}${s.artist ? ` (${s.artist}${s.year ? `, ${s.year}` : ''})` : ''}  [${s.model}${s.source === 'user' ? ', yours' : ''}]`);
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
  brush: { type: 'string' },
  strength: { type: 'string' },
  'preserve-colors': { type: 'boolean' },
  format: { type: 'string', short: 'f' },
  quality: { type: 'string', short: 'q' },
  recursive: { type: 'boolean', short: 'r' },
  'skip-existing': { type: 'boolean' },
  overwrite: { type: 'boolean' },
  'name-template': { type: 'string' },
  recipe: { type: 'string' },
  'strip-gps': { type: 'boolean' },
  'no-metadata': { type: 'boolean' },
  upscale: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

/** The entries that are set. */
function pick<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

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
    `      --brush N|native      long edge at which the style is painted, ${BRUSH.min}-${BRUSH.max} (default ${DEFAULT_BRUSH}):`,
    '                            the same strokes at every --size; native paints at the output size',
    '      --strength X          0 (photo) .. 1 (full style), default 1',
    "      --preserve-colors     keep the photo's colours (luminance-only transfer)",
    '  -f, --format FMT          jpg|png|webp|tiff|avif (default jpg)',
    '  -q, --quality Q           1-100 (default 92)',
    '      --device D            auto|cpu|gpu (default auto)',
    '      --precision P         auto (int8 on the CPU, fp16 on GPUs, at equal measured quality) or fp32',
    '  -r, --recursive           descend into folders, mirroring the tree',
    '      --name-template T     output names: {name} (required), {style}, {size}, {brush}, {strength}',
    `                            (default ${DEFAULT_NAME_TEMPLATE}; a blend's style reads a-70+b-30)`,
    '      --skip-existing       skip photos already exported with these settings (the recipe in',
    '                            the file says so); exports in other styles or settings are kept',
    '      --overwrite           replace another export at the same name (default: the new file',
    '                            takes the next free name, name-2.jpg, and the other is kept)',
    '      --recipe FILE         paint with the settings recorded in FILE, a painted file (style,',
    '                            strength, brush, preserve colours, size; flags given override them)',
    '      --strip-gps           remove GPS location from the metadata',
    "      --no-metadata         write none of the photo's EXIF/XMP/ICC metadata (the recipe stays)",
    '      --json                print one JSON report on stdout',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parse(argv, STYLIZE_OPTIONS, true);
    if (values.help) return commandHelp(io, stylize);
    if (positionals.length === 0) throw new UsageError("Missing input: give one or more photos or folders (put names starting with '-' after '--')");
    if (!values.out) throw new UsageError('Missing required option --out DIR');
    const opts: BatchOptions & { recursive: boolean; skipExisting: boolean } = {
      recursive: Boolean(values.recursive),
      skipExisting: Boolean(values['skip-existing']),
      overwrite: Boolean(values.overwrite),
      preserveColors: Boolean(values['preserve-colors']),
      stripGps: Boolean(values['strip-gps']),
      keepMetadata: !values['no-metadata'],
      allowUpscale: Boolean(values.upscale),
    };
    if (values.recipe !== undefined && values.style !== undefined) throw new UsageError('--recipe and --style cannot be combined: the recipe names its style');
    const template = flag('name-template', values['name-template'], (v) => parseNameTemplate(v, '--name-template'));
    if (template !== undefined) opts.nameTemplate = template;
    const everyStyle = values.style?.trim() === 'all';
    const style = everyStyle ? undefined : flag('style', values.style, parseStyleSpec);
    if (style !== undefined) opts.style = style;
    const size = flag('size', values.size, parseSize);
    if (size !== undefined) opts.size = size;
    const brush = flag('brush', values.brush, parseBrush);
    if (brush !== undefined) opts.brush = brush;
    opts.brushChosen = brushChosen(brush, 'given');
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
      if (values.recipe !== undefined) {
        try {
          const { options } = await engine.recipeFrom(values.recipe);
          // The recipe's settings, under any flag given explicitly.
          Object.assign(opts, options, { preserveColors: opts.preserveColors || options.preserveColors }, pick({ size, brush, strength }));
        } catch (e) {
          if (e instanceof PasticheError || e instanceof ParamError) throw new UsageError(`--recipe: ${e.message}`);
          throw e;
        }
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
        const o: Pick<FileResult, 'input' | 'output' | 'status' | 'error' | 'warnings' | 'ms' | 'device' | 'outcome' | 'note'> & { style?: string } = {
          input: f.input,
          output: f.output,
          status: f.status,
          ms: f.ms,
          device: f.device,
        };
        if (f.style) o.style = f.style;
        if (f.error) o.error = f.error;
        if (f.warnings?.length) o.warnings = f.warnings;
        if (f.outcome) o.outcome = f.outcome;
        if (f.note) o.note = f.note;
        return o;
      });
      if (values.json) {
        write(io.stdout, JSON.stringify({ files, device: report.device }));
      } else {
        for (const f of report.files) {
          const note = f.outcome && f.outcome !== 'new' && f.note ? `; ${f.note}` : '';
          if (f.status === 'ok') write(io.stdout, `ok      ${f.input} -> ${f.output} (${fmtMs(f.ms)}, ${f.device}${note})`);
          else if (f.status === 'skipped') write(io.stdout, `skipped ${f.input} (${f.error ?? f.note ?? 'output exists'})`);
          else if (f.status === 'cancelled' || f.status === 'not-started') write(io.stdout, `${f.status === 'cancelled' ? 'stopped' : 'not run'} ${f.input} (${f.error ?? 'cancelled'})`);
          else write(io.stderr, `failed  ${f.input}: ${f.error ?? 'unknown error'}`);
          for (const w of f.warnings ?? []) write(io.stderr, `warning ${f.input}: ${w}`);
        }
        const dev = engine.deviceReport();
        if (dev?.fallbackReason) write(io.stderr, `note: ran on ${dev.provider} (GPU unavailable: ${dev.fallbackReason})`);
        const n = (s: string): number => report.files.filter((f) => f.status === s).length;
        const unfinished = n('cancelled') + n('not-started');
        write(
          io.stderr,
          `${n('ok')} done, ${n('failed')} failed, ${n('skipped')} skipped${unfinished ? `, ${unfinished} not done (cancelled)` : ''}${report.stoppedReason ? ` - stopped: ${report.stoppedReason}` : ''}`,
        );
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
    if (values.help) return commandHelp(io, doctor);
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
        `user styles   ${d.userStylesDir ?? '(none)'}`,
        ...d.styleProblems.map((p) => `  REFUSED: ${p.message}`),
      ];
      write(io.stdout, lines.join('\n'));
      return 0;
    } finally {
      await engine.close();
    }
  },
};

/** Subcommands. */
export const commands: Record<string, Command> = { styles, stylize, doctor, bench };

function help(io: CliIo, cmd?: string): number {
  const c = cmd ? commands[cmd] : undefined;
  if (c) return commandHelp(io, c);
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
