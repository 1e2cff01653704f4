// Owns the inference worker process: sends jobs, restarts the worker when it dies, retries the
// job(s) in flight once, reports crashes, cancels. Everything is message-based, so the caller's
// thread (CLI, Electron main) never blocks on inference.
import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { rm } from 'node:fs/promises';
import { EventEmitter } from 'node:events';
import { PasticheError, deserializeError } from '../common/errors.js';
import type { JobKind, JobKinds, LearnEvent, WorkerRequest, WorkerResponse } from '../common/worker-protocol.js';

/** The minimal surface of a worker process; child_process.fork and utilityProcess.fork both fit. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  postMessage(msg: WorkerRequest): void;
  on(event: 'message', cb: (msg: WorkerResponse) => void): void;
  on(event: 'exit', cb: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

export type Spawner = (workerPath: string) => WorkerHandle;

/**
 * Spawner for plain Node (CLI, tests): child_process.fork with structured-clone IPC. The worker's
 * stderr goes to this process's, known noise dropped, unless `onStderrLine` takes the lines.
 */
export function forkSpawner(opts: { env?: NodeJS.ProcessEnv; execArgv?: string[]; onStderrLine?: (line: string) => void } = {}): Spawner {
  return (workerPath) => {
    const child = fork(workerPath, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      env: opts.env ?? process.env,
      execArgv: opts.execArgv ?? [],
    });
    if (opts.onStderrLine && child.stderr) createInterface({ input: child.stderr }).on('line', opts.onStderrLine);
    else forwardWorkerStderr(child.stderr, process.env['PASTICHE_VERBOSE'] === '1');
    return {
      get pid() {
        return child.pid;
      },
      postMessage: (msg) => {
        // A dead channel is detected through 'exit'; don't throw from here.
        if (child.connected) child.send(msg, (err) => void err);
      },
      on: ((event: 'message' | 'exit', cb: (...args: never[]) => void) => {
        child.on(event, cb as (...args: unknown[]) => void);
      }) as WorkerHandle['on'],
      kill: () => {
        child.kill('SIGKILL');
      },
    };
  };
}

/**
 * Dawn (onnxruntime's WebGPU) and the Vulkan loader print warnings on every GPU probe of a machine
 * without a usable GPU: no Vulkan loader, no driver (or only a software one, which the worker hides).
 * They are expected there and already reported by `doctor` and the fallback reason, so they are
 * dropped from the terminal; everything else the worker writes passes.
 */
const WORKER_NOISE = [
  /Couldn't load Vulkan|No supported adapters|Failed to get a WebGPU adapter/,
  /Loader Message: setup_loader_term_phys_devs: +Failed to detect any valid GPUs/,
  /^Warning: vkEnumeratePhysicalDevices$/,
];

export function isKnownWorkerNoise(line: string, previousWasNoise: boolean): boolean {
  if (WORKER_NOISE.some((re) => re.test(line))) return true;
  // The source location Dawn prints under its warning.
  return previousWasNoise && /^\s+at \S+ \(.*dawn/.test(line);
}

function forwardWorkerStderr(stream: NodeJS.ReadableStream | null, verbose: boolean): void {
  if (!stream) return;
  let lastNoise = false;
  createInterface({ input: stream }).on('line', (line) => {
    lastNoise = isKnownWorkerNoise(line, lastNoise);
    if (verbose || !lastNoise) process.stderr.write(`${line}\n`);
  });
}

export interface CrashEvent {
  pid: number | undefined;
  code: number | null;
  signal: string | null;
  /** Descriptions of the jobs that were in flight (input file names for stylize jobs). */
  jobs: string[];
  /** Whether those jobs will be retried. */
  retrying: boolean;
}

/**
 * 'interactive': what the user is looking at (a preview, the 1:1 view): sent at once.
 * 'normal': exports: sent at once. 'background': style thumbnails: one at a time, and only while
 * no interactive job is in flight, so the worker's one inference thread serves the view first.
 */
export type JobPriority = 'interactive' | 'normal' | 'background';

export interface JobOptions {
  priority?: JobPriority | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((stage: string, fraction: number, detail?: string) => void) | undefined;
  onStarted?: (() => void) | undefined;
  /** A learning job's progress, previews and start. */
  onEvent?: ((e: LearnEvent) => void) | undefined;
  /** Temp file the job writes; deleted here if the worker dies or is killed. */
  tmpFile?: string | undefined;
  /** Shown in crash reports. */
  label?: string | undefined;
}

interface Pending {
  id: number;
  req: Extract<WorkerRequest, { type: 'job' }>;
  attempts: number;
  opts: JobOptions;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  cancelled: boolean;
  /** Handed to the worker (background jobs wait in the queue until their turn). */
  sent: boolean;
  killTimer?: NodeJS.Timeout;
  cleanup: () => void;
}

export interface SupervisorOptions {
  workerPath: string;
  spawner?: Spawner;
  /** Attempts per job after a crash; default 1 retry. */
  retries?: number;
  /** How long a cancelled job may take to stop before the worker is killed. Default 1500 ms. */
  cancelGraceMs?: number;
}

export class Supervisor extends EventEmitter<{ crash: [CrashEvent]; restart: [number | undefined] }> {
  private worker: WorkerHandle | null = null;
  private readonly pending = new Map<number, Pending>();
  /** Background jobs not yet sent, oldest first. */
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private readonly spawner: Spawner;
  private readonly retries: number;
  private readonly graceMs: number;
  /** Workers killed on purpose (cancel); their exit is not a crash. */
  private readonly intentional = new WeakSet<WorkerHandle>();
  restarts = 0;

  constructor(private readonly opts: SupervisorOptions) {
    super();
    this.spawner = opts.spawner ?? forkSpawner();
    this.retries = opts.retries ?? 1;
    this.graceMs = opts.cancelGraceMs ?? 1500;
  }

  get pid(): number | undefined {
    return this.worker?.pid;
  }

  private ensureWorker(): WorkerHandle {
    if (this.worker) return this.worker;
    const w = this.spawner(this.opts.workerPath);
    this.worker = w;
    w.on('message', (msg) => this.onMessage(msg));
    w.on('exit', (code, signal) => this.onExit(w, code, signal));
    return w;
  }

  private onMessage(msg: WorkerResponse): void {
    if (msg.type === 'ready') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    switch (msg.type) {
      case 'started':
        p.opts.onStarted?.();
        break;
      case 'progress':
        p.opts.onProgress?.(msg.stage, msg.fraction, msg.detail);
        break;
      case 'event':
        p.opts.onEvent?.(msg.event);
        break;
      case 'result':
        this.settle(p);
        p.resolve(msg.result);
        break;
      case 'error':
        this.settle(p);
        p.reject(p.cancelled ? new PasticheError('CANCELLED', 'Cancelled') : deserializeError(msg.error));
        break;
    }
  }

  private settle(p: Pending): void {
    this.pending.delete(p.id);
    if (p.killTimer) clearTimeout(p.killTimer);
    p.cleanup();
    const q = this.queue.indexOf(p);
    if (q >= 0) this.queue.splice(q, 1);
    this.pump();
  }

  private send(p: Pending): void {
    p.sent = true;
    this.ensureWorker().postMessage(p.req);
  }

  /** Sends the oldest background job once no interactive or background job is in flight. */
  private pump(): void {
    if (this.closed || this.queue.length === 0) return;
    for (const p of this.pending.values()) {
      if (p.sent && (p.opts.priority === 'interactive' || p.opts.priority === 'background')) return;
    }
    const next = this.queue.shift();
    if (next) this.send(next);
  }

  /** Jobs sent and not settled, by priority (tests, diagnostics). */
  inFlight(): { id: number; kind: string; priority: JobPriority }[] {
    return [...this.pending.values()].filter((p) => p.sent).map((p) => ({ id: p.id, kind: p.req.kind, priority: p.opts.priority ?? 'normal' }));
  }

  /** Background jobs waiting for their turn. */
  get queued(): number {
    return this.queue.length;
  }

  private onExit(w: WorkerHandle, code: number | null, signal: string | null): void {
    if (this.worker === w) this.worker = null;
    const intentional = this.intentional.has(w);
    const inflight = [...this.pending.values()].filter((p) => p.sent);
    if (this.closed) {
      for (const p of [...this.pending.values()]) {
        this.settle(p);
        p.reject(new PasticheError('CANCELLED', 'Engine closed'));
      }
      return;
    }
    const toRetry: Pending[] = [];
    const crashed: Pending[] = [];
    for (const p of inflight) {
      if (p.opts.tmpFile) void rm(p.opts.tmpFile, { force: true }).catch(() => undefined);
      if (p.cancelled) {
        this.settle(p);
        p.reject(new PasticheError('CANCELLED', 'Cancelled'));
      } else if (intentional || p.attempts <= this.retries) {
        // Jobs caught in a kill meant for another (cancelled) job are resent without using their retry.
        if (!intentional) p.attempts++;
        toRetry.push(p);
      } else {
        crashed.push(p);
      }
    }
    if (!intentional && (toRetry.length || crashed.length)) {
      this.emit('crash', {
        pid: w.pid,
        code,
        signal,
        jobs: [...toRetry, ...crashed].map((p) => p.opts.label ?? p.req.kind),
        retrying: toRetry.length > 0,
      });
    }
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    for (const p of crashed) {
      this.settle(p);
      p.reject(new PasticheError('WORKER_CRASH', `The inference worker crashed ${this.retries + 1} times while processing ${p.opts.label ?? 'this job'} (${how}); skipped`));
    }
    if (toRetry.length) {
      this.restarts++;
      const nw = this.ensureWorker();
      this.emit('restart', nw.pid);
      for (const p of toRetry) nw.postMessage(p.req);
    }
    this.pump();
  }

  /** Sends a job; resolves with its result. Rejects with PasticheError (CANCELLED, WORKER_CRASH, ...). */
  request<K extends JobKind>(kind: K, job: JobKinds[K]['job'], opts: JobOptions = {}): Promise<JobKinds[K]['result']> {
    if (this.closed) return Promise.reject(new PasticheError('CANCELLED', 'Engine closed'));
    if (opts.signal?.aborted) return Promise.reject(new PasticheError('CANCELLED', 'Cancelled'));
    const id = this.nextId++;
    const req = { type: 'job', id, kind, job } as Extract<WorkerRequest, { type: 'job' }>;
    return new Promise<JobKinds[K]['result']>((resolve, reject) => {
      const onAbort = (): void => this.cancel(id);
      const p: Pending = {
        id,
        req,
        attempts: 1,
        opts,
        cancelled: false,
        sent: false,
        resolve: resolve as (v: unknown) => void,
        reject,
        cleanup: () => opts.signal?.removeEventListener('abort', onAbort),
      };
      this.pending.set(id, p);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.priority === 'background') {
        this.queue.push(p);
        this.pump();
      } else this.send(p);
    });
  }

  /** Asks the worker to stop the job; if it is stuck in a native call, kill the worker. */
  private cancel(id: number): void {
    const p = this.pending.get(id);
    if (!p || p.cancelled) return;
    p.cancelled = true;
    if (!p.sent) {
      // Still in the queue: the worker never hears of it.
      this.settle(p);
      p.reject(new PasticheError('CANCELLED', 'Cancelled'));
      return;
    }
    const w = this.worker;
    if (!w) return;
    w.postMessage({ type: 'cancel', id });
    p.killTimer = setTimeout(() => {
      if (!this.pending.has(id) || this.worker !== w) return;
      this.intentional.add(w);
      w.kill();
    }, this.graceMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) {
      this.settle(p);
      p.reject(new PasticheError('CANCELLED', 'Engine closed'));
    }
    const w = this.worker;
    if (!w) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        w.kill();
        resolve();
      }, 2000);
      w.on('exit', () => {
        clearTimeout(t);
        resolve();
      });
      w.postMessage({ type: 'shutdown' });
    });
    this.worker = null;
  }
}
