import { describe, expect, it } from 'vitest';
import { Supervisor, type WorkerHandle } from '../../../electron/engine/supervisor.js';
import type { WorkerRequest, WorkerResponse } from '../../../electron/common/worker-protocol.js';

/** A worker in memory: records what it was sent; the test answers jobs by id. */
function fakeWorker(): { spawner: () => WorkerHandle; sent: Extract<WorkerRequest, { type: 'job' | 'cancel' }>[]; answer(id: number): void } {
  const sent: Extract<WorkerRequest, { type: 'job' | 'cancel' }>[] = [];
  let onMessage: (m: WorkerResponse) => void = () => undefined;
  const handle: WorkerHandle = {
    pid: 1,
    postMessage: (m) => {
      if (m.type !== 'shutdown') sent.push(m);
    },
    on: ((event: string, cb: (m: WorkerResponse) => void) => {
      if (event === 'message') onMessage = cb;
    }) as WorkerHandle['on'],
    kill: () => undefined,
  };
  return {
    spawner: () => handle,
    sent,
    answer: (id) => onMessage({ type: 'result', id, result: { provider: 'cpu', ms: 1 } }),
  };
}

const jobs = (w: ReturnType<typeof fakeWorker>): string[] => w.sent.map((m) => (m.type === 'job' ? `${m.kind}:${m.id}` : `cancel:${m.id}`));
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('supervisor queue', () => {
  it('holds thumbnails while a preview is in flight, then sends them one at a time', async () => {
    const w = fakeWorker();
    const sup = new Supervisor({ workerPath: 'fake', spawner: w.spawner });
    const thumbs = [1, 2, 3].map(() => sup.request('warmup', {} as never, { priority: 'background' }));
    // The first thumbnail went out before the preview was asked for; the rest wait.
    const preview = sup.request('warmup', {} as never, { priority: 'interactive' });
    expect(jobs(w)).toEqual(['warmup:1', 'warmup:4']);
    expect(sup.queued).toBe(2);
    w.answer(1);
    await tick();
    // The preview is still in flight: no thumbnail is sent.
    expect(jobs(w)).toEqual(['warmup:1', 'warmup:4']);
    w.answer(4);
    await preview;
    expect(jobs(w)).toEqual(['warmup:1', 'warmup:4', 'warmup:2']);
    w.answer(2);
    await tick();
    expect(jobs(w)).toEqual(['warmup:1', 'warmup:4', 'warmup:2', 'warmup:3']);
    w.answer(3);
    await Promise.all(thumbs);
    expect(sup.queued).toBe(0);
  });

  it('exports are sent at once, thumbnails or not', () => {
    const w = fakeWorker();
    const sup = new Supervisor({ workerPath: 'fake', spawner: w.spawner });
    void sup.request('warmup', {} as never, { priority: 'background' });
    void sup.request('warmup', {} as never, { priority: 'background' });
    void sup.request('warmup', {} as never);
    expect(jobs(w)).toEqual(['warmup:1', 'warmup:3']);
    expect(sup.inFlight().map((j) => j.priority)).toEqual(['background', 'normal']);
  });

  it('a queued job cancelled is never sent; a newer preview cancels the one in flight', async () => {
    const w = fakeWorker();
    const sup = new Supervisor({ workerPath: 'fake', spawner: w.spawner, cancelGraceMs: 60_000 });
    const first = new AbortController();
    const p1 = sup.request('warmup', {} as never, { priority: 'interactive', signal: first.signal });
    const queuedAc = new AbortController();
    const thumb = sup.request('warmup', {} as never, { priority: 'background', signal: queuedAc.signal });
    queuedAc.abort();
    await expect(thumb).rejects.toMatchObject({ code: 'CANCELLED' });
    // A pan or a new setting: the pane aborts its older render and asks again.
    first.abort();
    const p2 = sup.request('warmup', {} as never, { priority: 'interactive' });
    expect(jobs(w)).toEqual(['warmup:1', 'cancel:1', 'warmup:3']);
    w.answer(3);
    await expect(p2).resolves.toMatchObject({ provider: 'cpu' });
    void p1.catch(() => undefined);
  });

  it('close rejects the queued jobs', async () => {
    const w = fakeWorker();
    const sup = new Supervisor({ workerPath: 'fake', spawner: w.spawner });
    void sup.request('warmup', {} as never, { priority: 'interactive' }).catch(() => undefined);
    const queued = sup.request('warmup', {} as never, { priority: 'background' });
    const closing = sup.close();
    await expect(queued).rejects.toMatchObject({ code: 'CANCELLED', message: 'Engine closed' });
    void closing;
  });
});
