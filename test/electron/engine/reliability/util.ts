// Helpers for the reliability suite (docs/reliability.md): worker memory from /proc, big-but-cheap PNGs,
// an async CLI runner, and a strict "decodes completely" check for outputs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { BIN, FIXTURE_MODELS, PNG_SIGNATURE, pngChunk, pngIhdr } from '../helpers.js';

export interface ProcMem {
  /** Resident set size now, bytes. */
  rss: number;
  /** Peak resident set size (VmHWM), bytes. */
  hwm: number;
}

/** Linux only: current and peak RSS of a process (null when it is gone or /proc is missing). */
export function procMem(pid: number | undefined): ProcMem | null {
  if (!pid) return null;
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Direct children of a process (from /proc), e.g. the CLI's inference worker. */
export function childPids(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const MB = 1024 * 1024;

/**
 * A real, fully decodable solid-colour RGB PNG of any size, written in ~1 s per 400 MP: the
 * first row uses the Sub filter (one pixel then zero deltas), every other row the Up filter
 * (all zeros), so the deflate input is almost all zeros.
 */
export async function solidPng(file: string, width: number, height: number, rgb: [number, number, number] = [0x44, 0x66, 0x88]): Promise<void> {
  const out = createWriteStream(file);
  out.write(PNG_SIGNATURE);
  out.write(pngIhdr(width, height));
  const d = zlib.createDeflate({ level: 1 });
  const parts: Buffer[] = [];
  d.on('data', (c: Buffer) => parts.push(c));
  const ended = once(d, 'end');
  const first = Buffer.alloc(1 + width * 3);
  first[0] = 1;
  first.set(rgb, 1);
  const up = Buffer.alloc(1 + width * 3);
  up[0] = 2;
  d.write(first);
  for (let y = 1; y < height; y++) if (!d.write(up)) await once(d, 'drain');
  d.end();
  await ended;
  const idat = Buffer.concat(parts);
  // Chunks may be large; split the zlib stream into 1 MiB IDAT chunks like encoders do.
  for (let o = 0; o < idat.length; o += MB) out.write(pngChunk('IDAT', idat.subarray(o, o + MB)));
  out.write(pngChunk('IEND', Buffer.alloc(0)));
  out.end();
  await once(out, 'finish');
}

/** Resolves when the file decodes completely (a truncated file rejects). */
export async function decodesFully(file: string): Promise<boolean> {
  try {
    await sharp(file, { failOn: 'truncated' }).raw().toBuffer();
    return true;
  } catch {
    return false;
  }
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, PASTICHE_MODELS_DIR: FIXTURE_MODELS, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const child = startCli(args, opts);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stdout, stderr };
}

/** Mean absolute difference of two equally sized 8-bit buffers. */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`size mismatch ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}
