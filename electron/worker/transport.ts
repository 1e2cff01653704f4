// How the inference process talks to its supervisor: process.send as a child_process.fork child,
// process.parentPort as an Electron utility process.
import type { WorkerRequest, WorkerResponse } from '../common/worker-protocol.js';

interface ParentPort {
  postMessage(msg: unknown): void;
  on(ev: 'message', cb: (e: { data: unknown }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

export function send(msg: WorkerResponse): void {
  if (parentPort) parentPort.postMessage(msg);
  else process.send?.(msg);
}

export function onMessage(cb: (msg: WorkerRequest) => void): void {
  if (parentPort) parentPort.on('message', (e) => cb(e.data as WorkerRequest));
  else process.on('message', (m) => cb(m as WorkerRequest));
}
