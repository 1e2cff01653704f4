// Execution providers: which GPU providers are worth trying on this platform, the session options
// of each, and one readable line from an onnxruntime error.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import type { ProviderName } from '../common/types.js';
import { explainNoAdapter } from './gpu-drivers.js';
import type { OrtInfo } from './ort-protocol.js';

const require = createRequire(import.meta.url);

function ortBinDir(): string {
  const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

/** CUDA needs the provider libraries installed next to the binding (not bundled by default). */
export function cudaLibsPresent(): boolean {
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(path.join(ortBinDir(), lib));
}

/** GPU providers worth trying on this platform, most specific first. */
export function gpuCandidates(backends: OrtInfo['backends']): ProviderName[] {
  const bundled = (n: string): boolean => backends.some((b) => b.name === n && b.bundled);
  const list: ProviderName[] = [];
  if (process.platform === 'win32' && bundled('dml')) list.push('dml');
  if (process.platform === 'darwin' && bundled('coreml')) list.push('coreml');
  if (backends.some((b) => b.name === 'cuda') && cudaLibsPresent()) list.push('cuda');
  if (bundled('webgpu')) list.push('webgpu');
  return list;
}

export function sessionOptions(provider: ProviderName, threads: number): InferenceSession.SessionOptions {
  if (provider === 'cpu') {
    return {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // Without the arena every activation is a fresh mmap whose pages are faulted in and
      // zeroed on each run: measured 1.9 s user + 1.2 s sys vs 1.4 s + 0.0 s per 1080p run
      // (docs/performance.md). Tiling bounds the largest run, hence the arena's size, and
      // idle sessions are released (SessionCache.releaseIdle) so the memory goes back between uses.
      enableCpuMemArena: true,
      enableMemPattern: true,
    };
  }
  // Severity 3 (errors): ORT warns on every GPU session that shape ops run on the CPU, which is by design.
  return { executionProviders: [provider], graphOptimizationLevel: 'all', logSeverityLevel: 3 };
}

/** One readable line from an ORT error: drop the C++ source location and assertion text. */
export function firstLineRaw(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  let line = (m.split('\n')[0] ?? m).trim();
  line = line.replace(/^\S+\.(?:cc|cpp|h):\d+\s+.*?\s(?:was false\.|failed\.)\s*/, '');
  return line.slice(0, 300);
}

/** firstLineRaw, plus why a software adapter was not used when that is why no adapter was found. */
export function errorLineWith(hiddenDrivers: readonly string[]): (e: unknown) => string {
  return (e) => explainNoAdapter(firstLineRaw(e), hiddenDrivers);
}
