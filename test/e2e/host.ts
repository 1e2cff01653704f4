// E2E test host: serves the built renderer over HTTP (127.0.0.1, random port) and
// implements the SAME IPC contract with the SAME service handlers and the REAL
// engine (child_process worker) as the Electron main process. The page gets
// `window.pastiche` from an injected shim: invoke = POST /ipc/<channel>, events =
// Server-Sent Events. "Dialogs" return preconfigured folders, changeable per test
// through POST /__test/dialogs. Drops: in Electron the preload reports a real drop's paths to
// main (PRELOAD_DROPPED); here POST /__test/drop plays the preload's part, and the shim's
// pathForFile maps a File's name to a path the test registered (window.__e2eDropPaths).
//
// Loads the compiled services from dist/ (the engine's worker must be compiled anyway).

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { EventContract, EventName } from '../../electron/common/ipc-contract.js';

type StartAppMod = typeof import('../../electron/app/start-app.js');
type IpcMod = typeof import('../../electron/services/ipc-handler.js');
type MediaMod = typeof import('../../electron/services/media.js');
type EngineMod = typeof import('../../electron/engine/index.js');
type SecurityMod = typeof import('../../electron/main/security.js');

export interface DialogAnswers {
  openFolder: string | null;
  openFiles: string[] | null;
  chooseOutputFolder: string | null;
  choosePainting?: string | null;
  chooseRecipe?: string | null;
}

export interface HostOptions {
  repoRoot: string;
  modelsDir: string;
  userData: string;
  dialogs: DialogAnswers;
  sample?: string;
  /** "Add painting as a style…" learns for this many steps (short real runs). */
  learnSteps?: number;
}

export interface RunningHost {
  url: string;
  close(): Promise<void>;
}

const SHIM = `(() => {
  'use strict';
  const listeners = new Map();
  const es = new EventSource('/events');
  const wired = new Set();
  function wire(name) {
    if (wired.has(name)) return;
    wired.add(name);
    es.addEventListener(name, (e) => {
      const payload = JSON.parse(e.data);
      for (const l of [...(listeners.get(name) || [])]) l(payload);
    });
  }
  const api = {
    async invoke(channel, ...args) {
      try {
        const r = await fetch('/ipc/' + encodeURIComponent(channel), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ args }),
        });
        return await r.json();
      } catch (e) {
        return { ok: false, error: { code: 'internal', message: String(e) } };
      }
    },
    on(name, listener) {
      wire(name);
      if (!listeners.has(name)) listeners.set(name, new Set());
      listeners.get(name).add(listener);
      return () => listeners.get(name).delete(listener);
    },
    // Stands in for webUtils.getPathForFile: a File has a path only if the test registered one.
    pathForFile(file) {
      const map = window.__e2eDropPaths || {};
      return Object.prototype.hasOwnProperty.call(map, file.name) ? map[file.name] : '';
    },
    mediaBase: '/media/',
    platform: 'web',
  };
  Object.defineProperty(window, 'pastiche', { value: Object.freeze(api), writable: false, configurable: false });
})();
`;

async function load<T>(repoRoot: string, rel: string): Promise<T> {
  const file = path.join(repoRoot, 'dist', rel);
  if (!fs.existsSync(file)) throw new Error(`${file} missing: run 'npm run build' first`);
  return (await import(pathToFileURL(file).href)) as T;
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const { repoRoot } = opts;
  const [appMod, ipc, media, engineMod, security] = await Promise.all([
    load<StartAppMod>(repoRoot, 'electron/app/start-app.js'),
    load<IpcMod>(repoRoot, 'electron/services/ipc-handler.js'),
    load<MediaMod>(repoRoot, 'electron/services/media.js'),
    load<EngineMod>(repoRoot, 'electron/engine/index.js'),
    load<SecurityMod>(repoRoot, 'electron/main/security.js'),
  ]);
  const rendererDir = path.join(repoRoot, 'dist', 'renderer');
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) throw new Error(`${rendererDir}/index.html missing: run 'npm run build'`);

  const dialogs = { ...opts.dialogs };
  const clients = new Set<http.ServerResponse>();
  const opened: string[] = [];

  const emit = <E extends EventName>(event: E, payload: EventContract[E]): void => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
    for (const c of clients) c.write(frame);
  };

  // The same wiring as Electron's main process; the worker is a child_process.fork child here.
  const {
    host: handlers,
    drops,
    media: mediaContext,
  } = await appMod.startApp({
    userData: opts.userData,
    // The default output folder lands in the test's own folder, never in the user's Pictures.
    picturesDir: path.join(opts.userData, 'Pictures'),
    modelsDir: opts.modelsDir,
    samplePhoto: opts.sample ?? path.join(repoRoot, 'build', 'sample-photo.jpg'),
    spawner: engineMod.forkSpawner(),
    threads: 2,
    ...(opts.learnSteps ? { learnSteps: opts.learnSteps } : {}),
    version: 'e2e',
    dialogs: {
      openFolder: async () => dialogs.openFolder,
      openFiles: async () => dialogs.openFiles,
      chooseOutputFolder: async () => dialogs.chooseOutputFolder,
      choosePainting: async () => dialogs.choosePainting ?? null,
      chooseRecipe: async () => dialogs.chooseRecipe ?? null,
    },
    emit,
    openPath: async (p) => {
      opened.push(p);
      return '';
    },
  });

  let origin = '';
  const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': type, 'x-content-type-options': 'nosniff', ...extra });
    res.end(body);
  };
  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => {
        data += c;
        if (data.length > 8_000_000) req.destroy(new Error('body too large'));
      });
      req.on('end', () => resolve(data));
      req.on('error', reject);
    });

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      const p = url.pathname;
      try {
        if (req.method === 'GET' && (p === '/' || p === '/index.html')) {
          const html = fs.readFileSync(path.join(rendererDir, 'index.html'), 'utf8').replace('<head>', '<head>\n    <script src="/__shim.js"></script>');
          return send(res, 200, 'text/html; charset=utf-8', html, { 'content-security-policy': security.CSP, 'cache-control': 'no-store' });
        }
        if (req.method === 'GET' && p === '/__shim.js') return send(res, 200, 'text/javascript; charset=utf-8', SHIM);
        if (req.method === 'GET' && p === '/events') {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
          res.write(': connected\n\n');
          clients.add(res);
          req.on('close', () => clients.delete(res));
          return;
        }
        if (req.method === 'POST' && p.startsWith('/ipc/')) {
          const channel = decodeURIComponent(p.slice('/ipc/'.length));
          let args: unknown[] = [];
          try {
            const parsed = JSON.parse(await readBody(req)) as { args?: unknown };
            if (Array.isArray(parsed.args)) args = parsed.args;
          } catch {
            return send(res, 400, 'application/json', JSON.stringify({ ok: false, error: { code: 'bad-argument', message: 'Malformed JSON body' } }));
          }
          // The Origin header plays the role of Electron's senderFrame.url.
          const result = await ipc.dispatch(handlers.handlers, channel, req.headers.origin ?? null, [origin], args);
          return send(res, 200, 'application/json', JSON.stringify(result));
        }
        if (req.method === 'GET' && p.startsWith('/media/')) {
          const [, , kind = '', ...rest] = p.split('/');
          const parsed = media.parseMediaRequest(kind, rest.join('/'), url.searchParams);
          if (!parsed.ok) return send(res, parsed.status, 'text/plain; charset=utf-8', parsed.message);
          const r = await media.serveMedia(parsed.value, mediaContext);
          res.writeHead(r.status, { ...r.headers, 'x-content-type-options': 'nosniff' });
          return res.end(r.body);
        }
        if (req.method === 'POST' && p === '/__test/dialogs') {
          Object.assign(dialogs, JSON.parse(await readBody(req)) as Partial<DialogAnswers>);
          return send(res, 200, 'application/json', JSON.stringify(dialogs));
        }
        if (req.method === 'POST' && p === '/__test/drop') {
          // What the preload does in Electron: report the paths of a real drop (sender 0: the one page).
          const body = JSON.parse(await readBody(req)) as { paths?: unknown };
          return send(res, 200, 'application/json', JSON.stringify({ recorded: drops.record(0, body.paths) }));
        }
        if (req.method === 'GET' && p === '/__test/opened') return send(res, 200, 'application/json', JSON.stringify(opened));
        if (req.method === 'GET') {
          const file = media.resolveStatic(rendererDir, p);
          if (file && fs.existsSync(file) && fs.statSync(file).isFile()) {
            return send(res, 200, media.mimeOf(file), fs.readFileSync(file), { 'cache-control': 'no-store' });
          }
        }
        send(res, 404, 'text/plain', 'Not found');
      } catch (e) {
        send(res, 500, 'text/plain', e instanceof Error ? e.message : String(e));
      }
    })();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    async close() {
      handlers.abortAll();
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await handlers.close();
    },
  };
}
