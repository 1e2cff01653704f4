// Where onnxruntime-node runs inside the worker process: on a thread of its own.
// onnxruntime-node runs a session synchronously on the JavaScript thread that calls it, so hosting
// it on the worker's main thread would stall everything else there for the length of each run:
// the next photo's decode could not start, the last one's encode could not finish, and cancel
// messages would wait (docs/performance.md, batch). The thread owns every session; this side sees
// plain tensors. A native abort on that thread still ends the process, which the supervisor
// restarts, as before.
import { Worker } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import type { CreatedSession, FromOrtThread, InputInfo, OrtInfo, PlainTensor, ToOrtThread } from './ort-protocol.js';

export interface HostedSession {
  readonly inputNames: readonly string[];
  readonly inputMetadata: readonly InputInfo[];
  run(feeds: Record<string, PlainTensor>): Promise<Record<string, PlainTensor>>;
  release(): Promise<void>;
}

export interface OrtHost {
  readonly info: OrtInfo;
  /** 'thread', or 'inline' where a worker thread could not start (then runs block this thread). */
  readonly mode: 'thread' | 'inline';
  create(model: string | Uint8Array, options: InferenceSession.SessionOptions): Promise<HostedSession>;
}

/** A message to the thread without its id (the host numbers them). */
type Request = ToOrtThread extends infer T ? (T extends ToOrtThread ? Omit<T, 'id'> : never) : never;
type Call = <T>(msg: Request) => Promise<T>;

function hostOver(mode: OrtHost['mode'], info: OrtInfo, call: Call): OrtHost {
  return {
    mode,
    info,
    async create(model, options) {
      const s = await call<CreatedSession>({ op: 'create', model, options });
      return {
        inputNames: s.inputNames,
        inputMetadata: s.inputMetadata,
        // Inputs are copied (callers may keep using them: the decoded photo is blended
        // afterwards); outputs come back by transfer.
        run: (feeds) => call<Record<string, PlainTensor>>({ op: 'run', sid: s.sid, feeds }),
        release: () => call<null>({ op: 'release', sid: s.sid }).then(() => undefined),
      };
    },
  };
}

function threadHost(thread: Worker, info: OrtInfo): OrtHost {
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  thread.on('message', (m: FromOrtThread) => {
    if (m.op === 'ready') return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.op === 'done') p.resolve(m.value);
    else p.reject(new Error(m.message));
  });
  // The thread ends only after a bug on it (a native abort takes the whole process): fail loudly,
  // so the supervisor restarts the worker rather than leaving jobs waiting forever.
  thread.on('exit', (code) => {
    process.stderr.write(`pastiche: onnxruntime thread exited (code ${code}); restarting the worker\n`);
    process.exit(70);
  });
  thread.unref();
  const call: Call = <T>(msg: Request) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      thread.postMessage({ ...msg, id });
    });
  return hostOver('thread', info, call);
}

/** onnxruntime-node on the calling thread: the fallback where worker threads are unavailable. */
async function inlineHost(): Promise<OrtHost> {
  const { serveOrt } = await import('./ort-thread.js');
  const server = serveOrt();
  const call: Call = async <T>(msg: Request) => {
    const { reply } = await server.handle({ ...msg, id: 0 });
    if (reply.op === 'failed') throw new Error(reply.message);
    return (reply as Extract<FromOrtThread, { op: 'done' }>).value as T;
  };
  return hostOver('inline', server.info, call);
}

/**
 * Starts onnxruntime-node on its own thread; on the calling thread instead with
 * PASTICHE_ORT_THREAD=0 or where a worker thread cannot start (reason in `fallback`).
 */
export async function startOrtHost(env: NodeJS.ProcessEnv = process.env, threadScript: URL = new URL('./ort-thread.js', import.meta.url)): Promise<{ host: OrtHost; fallback: string | null }> {
  if (env['PASTICHE_ORT_THREAD'] === '0') return { host: await inlineHost(), fallback: 'PASTICHE_ORT_THREAD=0' };
  try {
    const thread = new Worker(threadScript);
    const info = await new Promise<OrtInfo>((resolve, reject) => {
      const onMessage = (m: FromOrtThread): void => {
        if (m.op !== 'ready') return;
        thread.off('error', reject);
        thread.off('exit', onExit);
        thread.off('message', onMessage);
        resolve(m.info);
      };
      const onExit = (code: number): void => reject(new Error(`exited with code ${code} before it was ready`));
      thread.on('message', onMessage);
      thread.once('error', reject);
      thread.once('exit', onExit);
    });
    return { host: threadHost(thread, info), fallback: null };
  } catch (e) {
    const why = `onnxruntime thread did not start (${e instanceof Error ? e.message : String(e)}); running it on the worker's main thread`;
    process.stderr.write(`pastiche: ${why}\n`);
    return { host: await inlineHost(), fallback: why };
  }
}
