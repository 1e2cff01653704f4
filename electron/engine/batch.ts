// Batch planning: expand inputs (files, folders, optionally recursive), choose collision-free
// output names and the temp names they are written under, refuse unusable output folders up
// front, and sweep stale temp files.
import { createHash } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { access, mkdir, readdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PasticheError } from '../common/errors.js';
import { extensionFor } from '../common/params.js';
import { compareNames } from '../common/photo-order.js';
import type { FileResult, OutputFormat } from '../common/types.js';
import { pidAlive } from './pid-alive.js';
import type { Existing } from './recipe-io.js';

/** Longest file name most file systems accept (NAME_MAX, bytes on ext4/APFS; UTF-16 units on NTFS). */
const NAME_MAX = 255;

/**
 * Temp name in the target folder, so the final rename is atomic (same filesystem). An output
 * name near NAME_MAX would overflow with the prefix and suffix: then a hash of it stands in.
 */
export function tempPathFor(finalPath: string, pid = process.pid): string {
  const base = path.basename(finalPath);
  let name = `.${base}.pastiche-tmp-${pid}`;
  if (Buffer.byteLength(name) > NAME_MAX) name = `.${createHash('sha256').update(base).digest('hex').slice(0, 32)}.pastiche-tmp-${pid}`;
  return path.join(path.dirname(finalPath), name);
}

export const TEMP_RE = /^\..+\.pastiche-tmp-(\d+)$/;

/** Extensions picked up when scanning folders. Files named explicitly are always attempted. */
export const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.png', '.webp', '.tif', '.tiff', '.avif', '.gif', '.heic', '.heif']);

export interface PlannedFile {
  input: string;
  /** Final output path, or null when the file is refused at planning time. */
  output: string | null;
  /** Planning-time refusal (e.g. output would overwrite the input). */
  error?: string;
  /**
   * What was at the output's name: nothing ('new'); this photo exported with the same settings
   * ('same': skipped or replaced); another export, replaced as asked ('overwrite'). 'renamed':
   * other exports held the earlier names and were kept (`kept`: the first of them).
   */
  placement?: 'new' | 'same' | 'renamed' | 'overwrite';
  kept?: string;
}

export interface PlanOptions {
  recursive: boolean;
  format: OutputFormat;
  /** Output name (no extension, at most `maxBytes`) for a photo's file name without its extension; default: that name. */
  name?: (stem: string, maxBytes: number) => string;
  /** What is at a candidate output; without it names only avoid each other and the inputs. */
  existing?: (output: string, input: string) => Promise<Existing>;
  /** Replace another export at the name instead of taking the next free one. */
  overwrite?: boolean;
}

export interface BatchPlan {
  files: PlannedFile[];
  /** Output folders the batch writes into (created by prepareOutputDirs). */
  dirs: string[];
}

function isHidden(name: string): boolean {
  return name.startsWith('.');
}

async function walk(dir: string, recursive: boolean, skip: Set<string>, out: string[]): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  // The gallery's order (photo-order.ts): this folder's photos, then each subfolder's.
  entries.sort((a, b) => compareNames(a.name, b.name));
  const subdirs: string[] = [];
  for (const e of entries) {
    if (isHidden(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      // Never descend into the output folder (`--out photos/out` inside `photos/`).
      if (recursive && !skip.has(p)) subdirs.push(p);
    } else if (e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
      out.push(p);
    }
  }
  for (const d of subdirs) await walk(d, recursive, skip, out);
}

/**
 * Expands inputs and assigns output paths. Names are unique case-insensitively (IMG.JPG and
 * img.jpg, a.jpg and a.png): later ones in sorted order get "-2", "-3"... An existing file that is
 * another export (other photo, style or settings) is never replaced unless `overwrite`: the name
 * moves on to the next free "-N". Deterministic, so a re-run with --skip-existing finds the same
 * names, and this photo's earlier export with the same settings wherever it sits among them.
 */
export async function planBatch(inputs: readonly string[], outDir: string, opts: PlanOptions): Promise<BatchPlan> {
  const out = path.resolve(outDir);
  const pairs: { input: string; relDir: string }[] = [];
  for (const raw of inputs) {
    const input = path.resolve(raw);
    let st;
    try {
      st = await stat(input);
    } catch {
      pairs.push({ input, relDir: '' });
      continue;
    }
    if (st.isDirectory()) {
      const files: string[] = [];
      await walk(input, opts.recursive, new Set([out]), files);
      for (const f of files) pairs.push({ input: f, relDir: opts.recursive ? path.relative(input, path.dirname(f)) : '' });
    } else {
      pairs.push({ input, relDir: '' });
    }
  }
  // Same file named twice (e.g. folder and a file inside it) is processed once.
  const seen = new Set<string>();
  const unique = pairs.filter((p) => (seen.has(p.input) ? false : (seen.add(p.input), true)));
  // Collision keys ignore case and Unicode normalization: 'IMG.JPG'/'img.jpg' and NFC/NFD
  // spellings of 'café.jpg' are one file on macOS and Windows file systems.
  const key = (p: string): string => p.normalize('NFC').toLowerCase();
  const inputKeys = new Set<string>();
  for (const p of unique) {
    inputKeys.add(key(p.input));
    try {
      inputKeys.add(key(await realpath(p.input)));
    } catch {
      /* missing input: reported when processed */
    }
  }
  const ext = extensionFor(opts.format);
  const taken = new Set<string>();
  const dirs = new Set<string>();
  const files: PlannedFile[] = [];
  for (const p of unique) {
    const dir = path.join(out, p.relDir);
    const stem = path.basename(p.input, path.extname(p.input));
    const candidate = (n: number): string => {
      const suffix = `${n === 1 ? '' : `-${n}`}${ext}`;
      return path.join(dir, `${opts.name ? opts.name(stem, NAME_MAX - Buffer.byteLength(suffix)) : stem}${suffix}`);
    };
    let placement: PlannedFile['placement'] = 'new';
    let kept: string | undefined;
    let n = 1;
    let output = candidate(n);
    for (; ; output = candidate(++n)) {
      if (taken.has(key(output))) continue;
      if (inputKeys.has(key(output)) || !opts.existing) break;
      const there = await opts.existing(output, p.input);
      if (there === 'other' && !opts.overwrite) {
        kept ??= output;
        continue;
      }
      placement = there === 'none' ? (kept ? 'renamed' : 'new') : there === 'same' ? 'same' : 'overwrite';
      break;
    }
    taken.add(key(output));
    if (inputKeys.has(key(output))) {
      files.push({ input: p.input, output: null, error: `Refused: the output ${output} would overwrite an input photo; choose another --out folder or --format` });
      continue;
    }
    dirs.add(dir);
    const f: PlannedFile = { input: p.input, output };
    if (opts.existing) f.placement = placement;
    if (kept && placement === 'renamed') f.kept = kept;
    files.push(f);
  }
  return { files, dirs: [...dirs] };
}

/** Throws a clear error when the output folder is missing or not writable (checked by writing). */
export async function checkOutputDir(outDir: string): Promise<void> {
  const dir = path.resolve(outDir);
  let st;
  try {
    st = await stat(dir);
  } catch {
    throw new PasticheError('OUTPUT', `Output folder does not exist: ${dir}`);
  }
  if (!st.isDirectory()) throw new PasticheError('OUTPUT', `Output path is not a folder: ${dir}`);
  // access() says yes to root on read-only mounts, so actually try writing.
  const probe = path.join(dir, `.pastiche-write-test-${process.pid}`);
  try {
    await access(dir, fsc.W_OK);
    await writeFile(probe, '');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'it is on a read-only file system' : code === 'ENOSPC' ? 'the disk is full' : 'it is not writable';
    throw new PasticheError('OUTPUT', `Cannot write to output folder ${dir}: ${why}`);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

export async function prepareOutputDirs(dirs: readonly string[]): Promise<void> {
  for (const d of dirs) await mkdir(d, { recursive: true });
}

/** Removes our temp files left by crashed or killed runs (their pid is gone, or is ours). */
export async function sweepStaleTemps(dirs: readonly string[], busy: ReadonlySet<string> = new Set()): Promise<number> {
  let removed = 0;
  for (const d of dirs) {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = TEMP_RE.exec(n);
      if (!m) continue;
      const pid = Number(m[1]);
      const p = path.join(d, n);
      if (busy.has(p)) continue;
      if (pid === process.pid || !pidAlive(pid)) {
        await rm(p, { force: true });
        removed++;
      }
    }
  }
  return removed;
}

/** Output path for a single file written into a folder (no batch collision handling needed). */
export function outputPathIn(outDir: string, input: string, format: OutputFormat): string {
  return path.join(path.resolve(outDir), `${path.basename(input, path.extname(input))}${extensionFor(format)}`);
}

/** A planned file's outcome for its report. */
export function placementNote(f: PlannedFile, skipped: boolean): string {
  const name = path.basename(f.output ?? '');
  switch (f.placement) {
    case 'same':
      return skipped ? `already exported with these settings as ${name}` : `replaced ${name}, its export with the same settings`;
    case 'renamed':
      return `written as ${name}: ${path.basename(f.kept ?? '')} is another export and was kept`;
    case 'overwrite':
      return `overwrote ${name}, another export (overwrite was asked)`;
    default:
      return `written as ${name}`;
  }
}

export function placementResult(f: PlannedFile): Pick<FileResult, 'outcome' | 'note'> {
  if (!f.placement) return {};
  return { outcome: f.placement === 'overwrite' ? 'overwritten' : f.placement, note: placementNote(f, false) };
}

/** The report of a file a cancelled or stopped batch never started. */
export function notProcessed(input: string, stopped: string | null): FileResult {
  return { input, output: null, status: stopped ? 'failed' : 'not-started', error: stopped ? `Not processed: ${stopped}` : 'Cancelled before it started', ms: 0, device: null };
}
