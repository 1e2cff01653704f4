// Spawner for the engine's supervisor under Electron: the worker runs in a
// utilityProcess (child_process.fork of the Electron binary needs the RunAsNode
// fuse, which packaged builds turn off).

import { utilityProcess } from 'electron';
import type { Spawner, WorkerHandle } from '../engine/index.js';

export const utilitySpawner: Spawner = (workerPath) => {
  const child = utilityProcess.fork(workerPath, [], { serviceName: 'Pastiche inference', stdio: 'inherit' });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const handle: WorkerHandle = {
    get pid() {
      return child.pid;
    },
    postMessage(msg) {
      // A dead worker is reported through 'exit'; posting to it must not throw.
      if (!exited) child.postMessage(msg);
    },
    on: ((event: 'message' | 'exit', cb: (...args: never[]) => void) => {
      if (event === 'message') child.on('message', cb as (msg: unknown) => void);
      // utilityProcess reports only an exit code; there is no signal name.
      else child.on('exit', (code: number) => (cb as (code: number | null, signal: string | null) => void)(code, null));
    }) as WorkerHandle['on'],
    kill() {
      child.kill();
    },
  };
  return handle;
};
