// `pastiche styles add | rename | remove`: the user's own styles. `add` learns one from a
// painting on the engine's runtime (electron/learning/style-learner.ts): progress and ETA on the
// terminal, Ctrl-C stops it and leaves nothing behind.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { PasticheError } from '../common/errors.js';
import { ParamError } from '../common/params.js';
import type { TrainProgress } from '../common/types.js';
import { Engine } from '../engine/index.js';
import { checkMinutes, checkStyleId, checkTitle, MINUTES } from '../common/style-meta.js';
import { addStyle, checkLearnRuntime } from '../learning/style-learner.js';
import { engineOptions, parse, UsageError, write, type CliIo } from './args.js';

const OPTIONS = {
  'models-dir': { type: 'string' },
  'styles-dir': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const MAX_STEPS = 1_000_000;

const ADD_OPTIONS = {
  ...OPTIONS,
  id: { type: 'string' },
  title: { type: 'string' },
  artist: { type: 'string' },
  minutes: { type: 'string' },
  steps: { type: 'string' },
  blend: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];
const RENAME_OPTIONS = { ...OPTIONS, title: { type: 'string' } } as const satisfies ParseArgsConfig['options'];

export const STYLES_SUBCOMMANDS_USAGE = [
  'pastiche styles add <painting> --id ID [--title T] [--artist A] [--minutes N] [--steps N] [--blend S]',
  'pastiche styles rename ID --title T',
  'pastiche styles remove ID',
  '      add: learn a style from a painting (the pack stays frozen) into your styles folder',
  `      --minutes N           training time, ${MINUTES.min}-${MINUTES.max} (default ${MINUTES.default})`,
  `      --steps N             stop after N steps instead (1-${MAX_STEPS})`,
  '      --blend S             first fit a blend of the built-in styles for S seconds (0-600, default 0)',
  '      rename, remove: your own styles only; the built-in ones never change',
  '      --styles-dir DIR      your styles folder (default PASTICHE_STYLES_DIR, else <user data>/styles)',
].join('\n');

function checkSteps(v: string | undefined): number {
  const n = Number(v);
  if (!(v !== undefined && /^\d+$/.test(v) && n >= 1 && n <= MAX_STEPS)) throw new ParamError('steps', `Expected integer between 1 and ${MAX_STEPS} for steps but received '${v ?? ''}'`);
  return n;
}

function checkBlend(v: string | undefined): number {
  const n = Number(v);
  if (!(v !== undefined && v.trim() !== '' && n >= 0 && n <= 600)) throw new ParamError('blend', `Expected a number between 0 and 600 for blend but received '${v ?? ''}'`);
  return n;
}

/** A flag check whose ParamError names the flag. */
function check<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ParamError) throw new UsageError(`--${name}: ${e.message}`);
    throw e;
  }
}

function clock(s: number): string {
  const t = Math.max(0, Math.round(s));
  return t < 60 ? `${t}s` : `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
}

function progressLine(p: TrainProgress): string {
  const width = 20;
  const filled = p.of ? Math.min(width, Math.round((p.step / p.of) * width)) : 0;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] step ${p.step}/${p.of}  ${clock(p.elapsedS)} elapsed, ETA ${clock(p.etaS)}  loss ${p.loss.toFixed(4)}`;
}

async function add(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, ADD_OPTIONS, true);
  if (positionals.length !== 1) throw new UsageError(`Expected one painting file but received ${positionals.length === 0 ? 'none' : positionals.length}`);
  const painting = path.resolve(positionals[0] as string);
  const st = await stat(painting).catch(() => null);
  if (!st?.isFile()) throw new UsageError(`Expected an image file for painting but received ${st ? 'a folder' : 'a missing path'} '${painting}'`);
  const id = check('id', () => checkStyleId(values.id));
  const title = values.title === undefined ? undefined : check('title', () => checkTitle(values.title, 'title'));
  const artist = values.artist === undefined ? undefined : check('artist', () => checkTitle(values.artist, 'artist'));
  const minutes = values.minutes === undefined ? MINUTES.default : check('minutes', () => checkMinutes(values.minutes));
  const steps = values.steps === undefined ? 0 : check('steps', () => checkSteps(values.steps));
  const blendS = values.blend === undefined ? 0 : check('blend', () => checkBlend(values.blend));
  const engine = await Engine.create({ ...engineOptions(values), learner: addStyle });
  const abort = new AbortController();
  const onSigint = (): void => abort.abort();
  try {
    check('id', () => engine.checkNewStyleId(id));
    if (!engine.learnablePack()) throw new PasticheError('MODEL', `No model in ${engine.modelsDir} takes style vectors (run 'pastiche doctor')`);
    const pack = engine.learnablePack();
    const rt = await checkLearnRuntime(engine.modelsDir, engine.models().find((m) => m.id === pack?.id)?.learn ?? null);
    if (!rt.ok) {
      write(io.stderr, `pastiche styles add: ${rt.message}`);
      return 1;
    }
    const tty = Boolean(io.stderr.isTTY);
    let lastLine = 0;
    process.on('SIGINT', onSigint);
    write(io.stderr, `Learning '${id}' from ${painting} for ${steps ? `${steps} steps` : `${minutes} min`} (Ctrl-C stops and keeps nothing)`);
    const s = await engine.addStyle({
      painting,
      id,
      minutes,
      ...(steps ? { steps } : {}),
      ...(blendS ? { blendS } : {}),
      signal: abort.signal,
      ...(title ? { title } : {}),
      ...(artist ? { artist } : {}),
      onProgress: (p) => {
        if (values.json) return write(io.stdout, JSON.stringify(p));
        if (tty) return void io.stderr.write(`\r\x1b[K${progressLine(p).slice(0, (io.stderr.columns ?? 100) - 1)}`);
        // Logs and pipes get a line every 15 s, not one per step.
        if (p.step === 1 || p.elapsedS - lastLine >= 15 || p.step === p.of) {
          lastLine = p.elapsedS;
          write(io.stderr, progressLine(p));
        }
      },
    });
    if (tty) io.stderr.write('\n');
    if (values.json) write(io.stdout, JSON.stringify({ event: 'added', style: s }));
    else write(io.stdout, `Added '${s.id}' (${s.title}) to ${path.join(engine.userStylesDir ?? '', `${s.id}.json`)}`);
    return 0;
  } catch (e) {
    if (e instanceof PasticheError && e.code === 'CANCELLED') {
      write(io.stderr, `\nCancelled: no style was written`);
      return 130;
    }
    if (e instanceof UsageError) throw e;
    write(io.stderr, `${io.stderr.isTTY ? '\n' : ''}pastiche styles add: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}

async function renameOrRemove(cmd: 'rename' | 'remove', argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, cmd === 'rename' ? RENAME_OPTIONS : OPTIONS, true);
  if (positionals.length !== 1) throw new UsageError(`Expected one style id but received ${positionals.length === 0 ? 'none' : positionals.length}`);
  const id = positionals[0] as string;
  const title = cmd === 'rename' ? check('title', () => checkTitle((values as { title?: string }).title, 'title')) : '';
  const engine = await Engine.create(engineOptions(values));
  try {
    if (cmd === 'rename') await engine.renameStyle(id, title);
    else await engine.removeStyle(id);
    write(io.stdout, cmd === 'rename' ? `Renamed '${id}' to ${title}` : `Removed '${id}'`);
    return 0;
  } catch (e) {
    if (e instanceof ParamError) {
      write(io.stderr, `pastiche styles ${cmd}: ${e.message}`);
      return 2;
    }
    throw e;
  } finally {
    await engine.close();
  }
}

/** `pastiche styles <sub> ...`; null when argv names no subcommand (the plain list). */
export function stylesSubcommand(argv: string[], io: CliIo): Promise<number> | null {
  const [sub, ...rest] = argv;
  if (sub === 'add') return add(rest, io);
  if (sub === 'rename' || sub === 'remove') return renameOrRemove(sub, rest, io);
  return null;
}
