// onnxruntime sessions of this process, by file, provider and thread count. Sessions hold their
// memory arena (the peak of the largest run) until released: they are dropped after a quiet period
// so an idle app gives the memory back. Recreating one costs ~0.1-0.5 s.
import path from 'node:path';
import type { ProviderName } from '../common/types.js';
import { timed } from '../imaging/trace.js';
import type { HostedSession, OrtHost } from './ort-host.js';
import { sessionOptions } from './providers.js';

export class SessionCache {
  readonly #host: OrtHost;
  readonly #idleReleaseMs: number;
  readonly #sessions = new Map<string, Promise<HostedSession>>();
  /** Variant files that did not load (or did not fit) on a provider: not retried for every photo. */
  readonly #unusable = new Set<string>();
  #idleTimer: NodeJS.Timeout | null = null;
  #activeJobs = 0;
  /** Serializes inference: two jobs may overlap decode/encode, but one ORT run at a time. */
  #inference: Promise<unknown> = Promise.resolve();

  /** `idleReleaseMs` <= 0 keeps sessions until the process ends. */
  constructor(host: OrtHost, idleReleaseMs: number) {
    this.#host = host;
    this.#idleReleaseMs = idleReleaseMs;
  }

  get activeJobs(): number {
    return this.#activeJobs;
  }

  get(file: string, provider: ProviderName, threads: number): Promise<HostedSession> {
    const key = `${file}|${provider}|${threads}`;
    let s = this.#sessions.get(key);
    if (!s) {
      s = timed('session-create', () => this.#host.create(file, sessionOptions(provider, threads)), { provider, file: path.basename(file) });
      this.#sessions.set(key, s);
      s.catch(() => this.#sessions.delete(key));
    }
    return s;
  }

  /** A reduced-precision variant's session, or null (then the float32 graph runs). */
  async optional(file: string, provider: ProviderName, threads: number, usable: (s: HostedSession) => boolean = () => true): Promise<HostedSession | null> {
    const key = `${file}|${provider}`;
    if (this.#unusable.has(key)) return null;
    const s = await this.get(file, provider, threads).catch(() => null);
    if (s && usable(s)) return s;
    this.#unusable.add(key);
    return null;
  }

  /** Runs `fn` after every inference started before it. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#inference.then(fn, fn);
    this.#inference = run.catch(() => undefined);
    return run;
  }

  jobStarted(): void {
    this.#activeJobs++;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  jobFinished(): void {
    this.#activeJobs--;
    if (this.#activeJobs > 0 || !(this.#idleReleaseMs > 0)) return;
    this.#idleTimer = setTimeout(() => void this.releaseIdle(), this.#idleReleaseMs);
    this.#idleTimer.unref();
  }

  /** Releases every session unless a job is running. */
  async releaseIdle(): Promise<void> {
    this.#idleTimer = null;
    if (this.#activeJobs > 0) return;
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    for (const p of all) {
      const s = await p.catch(() => null);
      await s?.release().catch(() => undefined);
    }
  }
}
