// Sandboxed preload: exposes exactly the typed contract as `window.pastiche`,
// nothing of ipcRenderer itself. Bundled to CommonJS by scripts/build-preload.mjs
// (sandboxed preloads cannot load ES modules or local files).

import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { isChannel, isEventName, PRELOAD_DROPPED } from '../common/ipc-contract.js';
import type { ArgsOf, Channel, EventContract, EventName, PasticheApi, PreloadContract, Result, ResultOf } from '../common/ipc-contract.js';

function invoke<C extends Channel>(channel: C, ...args: ArgsOf<C>): Promise<Result<ResultOf<C>>> {
  if (!isChannel(channel)) {
    return Promise.resolve({ ok: false, error: { code: 'bad-argument', message: `Unknown channel '${String(channel)}'` } });
  }
  return ipcRenderer.invoke(channel, ...args) as Promise<Result<ResultOf<C>>>;
}

function on<E extends EventName>(event: E, listener: (payload: EventContract[E]) => void): () => void {
  if (!isEventName(event)) throw new Error(`Unknown event '${String(event)}'`);
  // Wrap so the page never sees the IpcRendererEvent (it carries `sender`).
  const wrapped = (_e: IpcRendererEvent, payload: EventContract[E]): void => listener(payload);
  ipcRenderer.on(event, wrapped);
  return () => {
    ipcRenderer.removeListener(event, wrapped);
  };
}

const api: PasticheApi = {
  invoke,
  on,
  pathForFile(file) {
    try {
      return webUtils.getPathForFile(file);
    } catch {
      return '';
    }
  },
  mediaBase: 'pastiche://',
  platform: process.platform,
};

contextBridge.exposeInMainWorld('pastiche', api);

function pathOf(file: File): string {
  try {
    return webUtils.getPathForFile(file);
  } catch {
    return '';
  }
}

// Real drops only: this listener lives in the isolated world, on the document itself, in the
// capture phase (before the page's handlers). It reports the dropped paths to main, which then
// accepts exactly these in gallery:addPaths. A page cannot fake this: a synthetic event is not
// trusted, and a File built in JS has no path.
document.addEventListener(
  'drop',
  (e) => {
    if (!e.isTrusted || !e.dataTransfer) return;
    const paths = Array.from(e.dataTransfer.files, pathOf).filter((p) => p.length > 0);
    if (paths.length === 0) return;
    const message: PreloadContract[typeof PRELOAD_DROPPED] = [paths];
    ipcRenderer.send(PRELOAD_DROPPED, ...message);
  },
  { capture: true },
);
