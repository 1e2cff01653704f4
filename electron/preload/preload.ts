// Sandboxed preload: exposes exactly the typed contract as `window.pastiche`,
// nothing of ipcRenderer itself. Bundled to CommonJS by scripts/build-preload.mjs
// (sandboxed preloads cannot load ES modules or local files).

import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { isChannel, isEventName } from '../common/ipc-contract.js';
import type { ArgsOf, Channel, EventContract, EventName, PasticheApi, Result, ResultOf } from '../common/ipc-contract.js';

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
