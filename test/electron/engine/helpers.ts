// Shared test helpers: a compiled dist/ (the worker runs as a real child process), temp
// folders, and photos generated with sharp at test time (no binary fixtures committed).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import sharp, { type Sharp } from 'sharp';
import { afterAll } from 'vitest';
import { Engine, forkSpawner, type EngineOptions, type Spawner } from '../../../electron/engine/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURE_MODELS = path.join(ROOT, 'test/fixtures/models');
export const WORKER = path.join(ROOT, 'dist/electron/worker/inference-worker.js');
export const BIN = path.join(ROOT, 'bin/pastiche.js');
/** The shipped models (the tests that need the real pack). */
export const PACK_MODELS = path.join(ROOT, 'models');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Compiles the node code once per source change; parallel test files wait on a lock dir. */
export function ensureBuilt(): void {
  const stamp = path.join(ROOT, 'node_modules/.cache/pastiche-test-build.stamp');
  const lock = `${stamp}.lock`;
  mkdirSync(path.dirname(stamp), { recursive: true });
  const src = Math.max(...['common', 'engine', 'imaging', 'worker', 'cli'].map((d) => newestMtime(path.join(ROOT, 'electron', d))));
  const fresh = (): boolean => existsSync(stamp) && statSync(stamp).mtimeMs >= src && existsSync(WORKER);
  if (fresh()) return;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      execFileSync(process.execPath, ['-e', 'setTimeout(()=>{},200)']);
      if (fresh()) return;
    }
  }
  try {
    if (fresh()) return;
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.node.json')], { cwd: ROOT, stdio: 'pipe' });
    } catch {
      // Type errors elsewhere in the project still emit JavaScript; only a missing worker is fatal.
    }
    if (!existsSync(WORKER)) throw new Error('build did not produce the worker');
    writeFileSync(stamp, String(Date.now()));
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function tmpDir(prefix = 'pastiche-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A smooth-ish test photo with structure (gradients + noise), RGB. */
export async function photo(width: number, height: number, seed = 1): Promise<Sharp> {
  const raw = Buffer.alloc(width * height * 3);
  let s = seed * 9301 + 49297;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const n = (s % 32) - 16;
      const i = (y * width + x) * 3;
      raw[i] = Math.max(0, Math.min(255, Math.round((255 * x) / width) + n));
      raw[i + 1] = Math.max(0, Math.min(255, Math.round((255 * y) / height) + n));
      raw[i + 2] = Math.max(0, Math.min(255, 128 + Math.round(60 * Math.sin((x + y) / 9)) + n));
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

export async function writePhoto(file: string, width = 96, height = 64, seed = 1): Promise<string> {
  mkdirSync(path.dirname(file), { recursive: true });
  const p = await photo(width, height, seed);
  const ext = path.extname(file).toLowerCase();
  const fmt = ext === '.png' ? p.png() : ext === '.webp' ? p.webp() : ext === '.tif' || ext === '.tiff' ? p.tiff() : ext === '.avif' ? p.avif() : ext === '.gif' ? p.gif() : p.jpeg();
  await fmt.toFile(file);
  return file;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One PNG chunk: length, type, data, CRC. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(zlib.crc32(td));
  return Buffer.concat([len, td, c]);
}

/** IHDR chunk of an 8-bit RGB image. */
export function pngIhdr(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return pngChunk('IHDR', ihdr);
}

/** PNG whose IHDR declares width x height (valid CRC) with no real pixel data behind it. */
export function forgedPng(width: number, height: number): Buffer {
  return Buffer.concat([PNG_SIGNATURE, pngIhdr(width, height), pngChunk('IDAT', Buffer.alloc(16)), pngChunk('IEND', Buffer.alloc(0))]);
}

/**
 * A folder that cannot be written: a read-only tmpfs as root (root ignores permission bits),
 * else mode 0555. Returns the undo function, or null where root cannot mount (test skips).
 */
export function makeReadOnlyDir(dir: string): (() => void) | null {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  return mountTmpfs(dir, 'ro,size=1m');
}

/** Mounts a tmpfs (e.g. 'size=64k' for disk-full tests); the unmount function, or null if it cannot. */
export function mountTmpfs(dir: string, options: string): (() => void) | null {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  return () => execFileSync('umount', [dir]);
}

export interface SessionTrace {
  provider: string;
  file: string;
}

export interface TraceSpan {
  stage: string;
  ms: number;
  /** Epoch ms at which the span ended. */
  end: number;
  provider?: string;
  file?: string;
}

/** forkSpawner with PASTICHE_TRACE on: every span the worker logs goes to onSpan. */
export function spanSpawner(env: NodeJS.ProcessEnv, onSpan: (t: TraceSpan) => void): Spawner {
  return forkSpawner({
    env: { ...env, PASTICHE_TRACE: '1' },
    onStderrLine: (line) => {
      const m = /^pastiche-trace (\{.*\})$/.exec(line);
      if (m?.[1]) onSpan(JSON.parse(m[1]) as TraceSpan);
    },
  });
}

/** Records which graph each worker session loaded, on which provider. */
export function tracingSpawner(env: NodeJS.ProcessEnv, sessions: SessionTrace[]): Spawner {
  return spanSpawner(env, (t) => {
    if (t.stage === 'session-create' && t.provider && t.file) sessions.push({ provider: t.provider, file: t.file });
  });
}

/**
 * Engine factory for a test file on the shipped pack (compiled worker): every engine it makes is
 * closed after the file's tests.
 */
export function packEngines(): (opts: Partial<EngineOptions>) => Promise<Engine> {
  const engines: Engine[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
  });
  return async (opts) => {
    ensureBuilt();
    const e = await Engine.create({ modelsDir: PACK_MODELS, workerPath: WORKER, ...opts });
    engines.push(e);
    return e;
  };
}
