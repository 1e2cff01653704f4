// What the engine reports back: a batch, the doctor's checks, a worker crash (and its message).
import type { BatchReport, CrashInfo, DeviceReport } from '../common/types.js';
import type { DoctorResult } from '../common/worker-protocol.js';
import type { StyleFileProblem } from '../catalog/style-files.js';
import type { CrashEvent } from './supervisor.js';

export interface EngineBatchReport extends BatchReport {
  /** Set when the batch stopped early for a reason other than cancellation (e.g. disk full). */
  stoppedReason?: string;
}

export interface ModelStatus {
  id: string | null;
  ok: boolean;
  styles: string[];
  error?: string;
}

export interface DoctorReport extends DoctorResult {
  modelsDir: string;
  models: ModelStatus[];
  /** The user's styles folder (null: none) and every refused style file. */
  userStylesDir: string | null;
  styleProblems: StyleFileProblem[];
  device: DeviceReport | null;
}

/** A worker crash: the supervisor's details plus the notice the app services show. */
export type WorkerCrash = CrashEvent & CrashInfo;

/** The crash notice of a supervisor crash event. */
export function workerCrash(e: CrashEvent): WorkerCrash {
  const how = e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
  return {
    ...e,
    retried: e.retrying,
    message: `The inference worker stopped unexpectedly (${how}) while processing ${e.jobs.join(', ')}${e.retrying ? '; retrying' : ''}`,
  };
}
