// Learning a new style from a painting: the project's PyTorch trainer (training/, the pack frozen,
// only the style's vector learned) run as a supervised child process, for the CLI and the app.
// The trainer writes into a private folder inside the user's styles folder; only a complete,
// valid style file is moved into place, and a cancelled or failed run leaves nothing behind.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PasticheError } from '../common/errors.js';
import { packageRoot } from '../engine/paths.js';
import { parseStyleFile, type StyleFile } from '../catalog/style-files.js';
import type { LearnTarget } from '../catalog/user-styles.js';
import type { LearnStyleOptions } from '../common/types.js';
import { checkTrainerData, resolveTrainerData, trainerDataEnv } from './trainer-data.js';
import { pidAlive } from '../engine/pid-alive.js';

/**
 * The trainer's entry point, relative to the trainer root (the folder holding training/): the one
 * place its command line is spelled out (trainerArgs).
 */
export const TRAINER_MODULE = 'training.styles.learn';
const TRAINER_FILE = path.join(...TRAINER_MODULE.split('.')) + '.py';

/** What the trainer imports, with the Debian package and the pip package of each. */
const TRAINER_MODULES = [
  { module: 'torch', debian: 'python3-torch', pip: 'torch' },
  { module: 'numpy', debian: 'python3-numpy', pip: 'numpy' },
  { module: 'PIL', debian: 'python3-pil', pip: 'pillow' },
  { module: 'onnx', debian: 'python3-onnx', pip: 'onnx' },
] as const;

/** PASTICHE_PYTHON, else the system Python 3. */
export function defaultPython(env: NodeJS.ProcessEnv = process.env): string {
  return env['PASTICHE_PYTHON'] || (process.platform === 'win32' ? 'python' : '/usr/bin/python3');
}

/** The folder holding training/: PASTICHE_TRAINER_ROOT, else the package root (packaged app: resources). */
export function defaultTrainerRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['PASTICHE_TRAINER_ROOT'] ? path.resolve(env['PASTICHE_TRAINER_ROOT']) : packageRoot();
}

export interface TrainerArgs {
  painting: string;
  id: string;
  title?: string;
  artist?: string;
  minutes: number;
  outDir: string;
  modelsDir: string;
  packId: string;
  /** The training photos folder (the trainer's --content; default: its shared data's content/open). */
  contentDir?: string;
  /** Write the current result on this photo to previewOut every previewEveryS seconds. */
  preview?: { photo: string; out: string; everyS: number };
}

/** The trainer's command line (after the Python executable). */
export function trainerArgs(a: TrainerArgs): string[] {
  const args = ['-m', TRAINER_MODULE, a.painting, '--id', a.id, '--minutes', String(a.minutes), '--out', a.outDir, '--models', a.modelsDir, '--pack', a.packId];
  if (a.contentDir) args.push('--content', a.contentDir);
  if (a.title) args.push('--title', a.title);
  if (a.artist) args.push('--artist', a.artist);
  if (a.preview) args.push('--preview', a.preview.photo, '--preview-out', a.preview.out, '--preview-every', String(a.preview.everyS));
  return args;
}

export type TrainerRuntime = { ok: true; python: string; root: string } | { ok: false; python: string; root: string; missing: string[]; message: string };

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    let stdout = '';
    const p = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
    // Not spawn's own timeout: its timer outlives a spawn that failed (ENOENT) and holds the process.
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs).unref();
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, error });
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout });
    });
  });
}

/**
 * Whether the trainer can run: its files, its data (VGG19 weights, training photos), the Python,
 * and every module it imports; what is missing, where it looked and what to install if not.
 */
export async function checkTrainerRuntime(python = defaultPython(), root = defaultTrainerRoot(), env: NodeJS.ProcessEnv = process.env): Promise<TrainerRuntime> {
  const base = { python, root };
  if (!existsSync(path.join(root, TRAINER_FILE))) {
    return { ...base, ok: false, missing: ['trainer'], message: `The style trainer is not installed: ${path.join(root, TRAINER_FILE)} is missing` };
  }
  // Both checks at once, so the user learns everything that is missing in one go: a line each.
  const [py, data] = await Promise.all([checkPython(python, root), checkTrainerData(resolveTrainerData(root, env), root)]);
  const missing = [...(py?.missing ?? []), ...data.missing];
  if (missing.length === 0) return { ...base, ok: true };
  return { ...base, ok: false, missing, message: [...(py ? [py.message] : []), ...data.messages].join('\n') };
}

/** What the Python lacks to run the trainer, or null when it imports every module. */
async function checkPython(python: string, root: string): Promise<{ missing: string[]; message: string } | null> {
  const probe = `import importlib, json\nm = []\nfor n in ${JSON.stringify(TRAINER_MODULES.map((x) => x.module))}:\n    try:\n        importlib.import_module(n)\n    except Exception:\n        m.append(n)\nprint(json.dumps(m))`;
  const r = await run(python, ['-c', probe], root, 120_000);
  if (r.error) {
    const why = r.error.code === 'ENOENT' ? 'not found' : r.error.message;
    return {
      missing: ['python'],
      message: `Learning a style needs Python 3 with PyTorch: ${python} ${why}. Install python3 (Debian/Ubuntu: apt-get install python3 python3-torch python3-numpy python3-pil python3-onnx) or set PASTICHE_PYTHON`,
    };
  }
  let missing: string[];
  try {
    missing = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as string[];
  } catch {
    return { missing: ['python'], message: `Learning a style needs Python 3: ${python} did not run a Python 3 check (exit code ${r.code})` };
  }
  if (missing.length === 0) return null;
  const rows = TRAINER_MODULES.filter((x) => missing.includes(x.module));
  const message = `Learning a style needs PyTorch, numpy, Pillow and onnx for ${python}; missing: ${rows.map((x) => x.module).join(', ')}. Debian/Ubuntu: apt-get install ${rows.map((x) => x.debian).join(' ')}; elsewhere: pip install ${rows.map((x) => x.pip).join(' ')}`;
  return { missing, message };
}

/** What the trainer takes: the caller's choices and where the style goes. */
export type AddStyleOptions = LearnStyleOptions & LearnTarget;

const WORK_RE = /^\.adding-[a-z0-9-]+-(\d+)-[0-9a-f]{8}$/;

/**
 * Removes work folders of runs whose process is gone (killed with SIGKILL, power cut): a run
 * cleans up after itself otherwise. Returns the folders removed.
 */
export async function sweepStaleRuns(userStylesDir: string): Promise<string[]> {
  const names = await readdir(userStylesDir).catch(() => [] as string[]);
  const stale = names.filter((n) => {
    const m = WORK_RE.exec(n);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  });
  await Promise.all(stale.map((n) => rm(path.join(userStylesDir, n), { recursive: true, force: true })));
  return stale.map((n) => path.join(userStylesDir, n));
}

/**
 * Runs the trainer and installs the style file it writes as <userStylesDir>/<id>.json (never over
 * an existing file). Throws PasticheError: CANCELLED when the signal aborts it, else with the
 * trainer's own message.
 */
export async function addStyle(o: AddStyleOptions): Promise<StyleFile> {
  const target = path.join(o.userStylesDir, `${o.id}.json`);
  if (existsSync(target)) throw new PasticheError('INVALID_PARAM', `A style file for '${o.id}' already exists: ${target}`);
  await mkdir(o.userStylesDir, { recursive: true });
  await sweepStaleRuns(o.userStylesDir);
  // Dot-folders and non-.json files are never read as styles, so a run in progress is invisible.
  // The pid in the name lets a later run remove the folder of one that was killed outright.
  const work = path.join(o.userStylesDir, `.adding-${o.id}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(work);
  try {
    const root = o.root ?? defaultTrainerRoot();
    const data = resolveTrainerData(root);
    const preview = o.previewPhoto ? { photo: o.previewPhoto, out: path.join(work, 'preview.jpg'), everyS: o.previewEveryS ?? 60 } : undefined;
    const args = trainerArgs({
      painting: o.painting,
      id: o.id,
      minutes: o.minutes,
      outDir: work,
      modelsDir: o.modelsDir,
      packId: o.pack.id,
      contentDir: data.contentDir,
      ...(o.title ? { title: o.title } : {}),
      ...(o.artist ? { artist: o.artist } : {}),
      ...(preview ? { preview } : {}),
    });
    const done = await supervise(o.python ?? defaultPython(), args, root, trainerDataEnv(data), o);
    const produced = path.join(work, `${o.id}.json`);
    const file = done ?? produced;
    if (path.resolve(file) !== produced) throw new PasticheError('INTERNAL', `The trainer wrote ${file}, expected ${produced}`);
    const style = parseStyleFile(await readFile(produced, 'utf8'), target, 'user', [o.pack]);
    if (style.info.id !== o.id) throw new PasticheError('INTERNAL', `The trainer wrote style '${style.info.id}', expected '${o.id}'`);
    // link() refuses an existing target: a style added meanwhile under the same id is kept.
    await link(produced, target);
    return style;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Runs the trainer; the 'done' event's file (or null), or throws with why it stopped. */
function supervise(python: string, args: string[], cwd: string, dataEnv: Record<string, string>, o: AddStyleOptions): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(new PasticheError('CANCELLED', 'Cancelled'));
    const child = spawn(python, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...dataEnv, PYTHONUNBUFFERED: '1' } });
    let doneFile: string | null = null;
    let lastError: string | null = null;
    const stderrTail: string[] = [];
    let cancelled = false;
    const timers: NodeJS.Timeout[] = [];
    const onAbort = (): void => {
      cancelled = true;
      const grace = o.cancelGraceMs ?? 10_000;
      child.kill('SIGINT');
      timers.push(setTimeout(() => child.kill('SIGTERM'), grace).unref());
      timers.push(setTimeout(() => child.kill('SIGKILL'), grace * 2).unref());
    };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let ev: Record<string, unknown>;
      try {
        ev = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (typeof ev['step'] === 'number' && typeof ev['of'] === 'number' && ev['event'] === undefined) {
        o.onProgress?.({ step: ev['step'], of: ev['of'], elapsedS: Number(ev['elapsedS'] ?? 0), etaS: Number(ev['etaS'] ?? 0), loss: Number(ev['loss'] ?? NaN) });
      } else if (ev['event'] === 'preview' && typeof ev['file'] === 'string') {
        const f = ev['file'];
        void stat(f).then(
          () => o.onPreview?.(f),
          () => undefined,
        );
      } else if (ev['event'] === 'done' && typeof ev['file'] === 'string') {
        doneFile = ev['file'];
      } else if (ev['event'] === 'error' && typeof ev['message'] === 'string') {
        lastError = ev['message'];
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 20) stderrTail.shift();
      o.onLog?.(line);
    });
    child.on('error', (e) => {
      o.signal?.removeEventListener('abort', onAbort);
      reject(new PasticheError('INTERNAL', `Cannot start the style trainer (${python}): ${e.message}`));
    });
    child.on('close', (code, sig) => {
      for (const t of timers) clearTimeout(t);
      o.signal?.removeEventListener('abort', onAbort);
      if (cancelled) return reject(new PasticheError('CANCELLED', 'Cancelled'));
      if (code === 0) return resolve(doneFile);
      const why = lastError ?? stderrTail.filter((l) => l.trim()).at(-1) ?? (sig ? `killed by ${sig}` : `exit code ${code}`);
      reject(new PasticheError(code === 2 ? 'INVALID_PARAM' : code === 3 ? 'MODEL' : 'INTERNAL', `The style trainer failed: ${why}`));
    });
  });
}
