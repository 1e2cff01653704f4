// Entry of the supervised inference process. onnxruntime-node is loaded only in this process, on a
// thread of its own (ort-host.ts); this thread decodes, pipelines and encodes. A native abort in
// onnxruntime (seen with WebGPU) kills just this process; the supervisor restarts it and retries
// the job. Works as a child_process.fork child and as an Electron utility process (transport.ts).
// First: onnxruntime's telemetry is off before anything can create a session (no-telemetry.ts).
import './no-telemetry.js';
import { serializeError } from '../common/errors.js';
import { runPreview, runStylize, type CancelToken } from '../imaging/pipeline.js';
import { PassCache, passCacheBytes } from '../imaging/pass-cache.js';
import { runRegion } from '../imaging/region.js';
import type { WorkerRequest } from '../common/worker-protocol.js';
import { softwareDriverPolicy } from './gpu-drivers.js';
import { bench, doctor, warmup } from './diagnostic-jobs.js';
import { startOrtHost } from './ort-host.js';
import { OrtRunner, type RunnerContext } from './ort-runner.js';
import { learnStyle } from './learn-job.js';
import { errorLineWith, gpuCandidates } from './providers.js';
import { SessionCache } from './session-cache.js';
import { onMessage, send } from './transport.js';

// Before any WebGPU session: hide CPU-only Vulkan drivers from Dawn (gpu-drivers.ts says why).
const drivers = softwareDriverPolicy(process.env, process.platform);
Object.assign(process.env, drivers.env);
const { host } = await startOrtHost();

const sessions = new SessionCache(host, Number(process.env['PASTICHE_SESSION_IDLE_MS'] ?? 60_000));
const ctx: RunnerContext = { sessions, gpus: gpuCandidates(host.info.backends), failed: new Map(), errorLine: errorLineWith(drivers.hidden) };

// Decoded photos and passes shared by previews, thumbnails, the 1:1 view and exports (pass-cache.ts).
const passes = new PassCache(passCacheBytes(process.env));
const tokens = new Map<number, { cancelled: boolean }>();

async function handle(msg: Extract<WorkerRequest, { type: 'job' }>): Promise<void> {
  const token: CancelToken & { cancelled: boolean } = { cancelled: false };
  tokens.set(msg.id, token);
  sessions.jobStarted();
  send({ type: 'started', id: msg.id });
  try {
    let result;
    switch (msg.kind) {
      case 'stylize': {
        const j = msg.job;
        const progress = (stage: 'decode' | 'infer' | 'encode', fraction: number, detail?: string): void =>
          send(detail ? { type: 'progress', id: msg.id, stage, fraction, detail } : { type: 'progress', id: msg.id, stage, fraction });
        result = await runStylize(j, new OrtRunner(ctx, j.model, j.device, j.threads), token, progress, { cache: passes, write: false });
        break;
      }
      case 'preview':
        result = await runPreview(msg.job, new OrtRunner(ctx, msg.job.model, msg.job.device, msg.job.threads), token, { cache: passes, write: true });
        break;
      case 'region':
        result = await runRegion(msg.job, new OrtRunner(ctx, msg.job.model, msg.job.device, msg.job.threads), token, { cache: passes, write: true });
        break;
      case 'doctor':
        result = await doctor(host, ctx.errorLine);
        break;
      case 'warmup':
        result = await warmup(ctx, msg.job);
        break;
      case 'bench':
        result = await bench(ctx, msg.job);
        break;
      case 'learn':
        result = await learnStyle(ctx, msg.job, token, (event) => send({ type: 'event', id: msg.id, event }));
        break;
    }
    send({ type: 'result', id: msg.id, result });
  } catch (e) {
    send({ type: 'error', id: msg.id, error: serializeError(e) });
  } finally {
    tokens.delete(msg.id);
    sessions.jobFinished();
    // A cancelled job is usually a large photo the user gave up on: return its arena now rather
    // than after the idle period.
    if (token.cancelled && sessions.activeJobs === 0) void sessions.releaseIdle();
  }
}

onMessage((msg) => {
  switch (msg.type) {
    case 'job':
      void handle(msg);
      break;
    case 'cancel': {
      const t = tokens.get(msg.id);
      if (t) t.cancelled = true;
      break;
    }
    case 'shutdown':
      process.exit(0);
  }
});

// An orphaned worker (parent gone) must not linger holding GPU/CPU memory.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', pid: process.pid });
