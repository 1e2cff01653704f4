// Electron main process: one hardened window, the pastiche:// protocol, typed IPC,
// native dialogs, the menu and the supervised inference worker.

import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, protocol, session, shell } from 'electron';
import type { WebContents } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANNELS, PRELOAD_DROPPED } from '../common/ipc-contract.js';
import type { EventContract, EventName, ExportDone, MenuCommand, PreloadContract } from '../common/ipc-contract.js';
import { adoptLegacyUserData } from '../app/legacy-user-data.js';
import { startApp } from '../app/start-app.js';
import type { HandlerHost } from '../services/handlers.js';
import { dispatch, isTrustedSender } from '../services/ipc-handler.js';
import { mimeOf, parseMediaRequest, resolveStatic, serveMedia } from '../services/media.js';
import { exportNotice } from './export-notice.js';
import { menuTemplate } from './menu-template.js';
import { APP_ENTRY, APP_ORIGIN, CSP, isAllowedNavigation, isExternalLinkAllowed, SCHEME, webPreferences } from './security.js';
import { utilitySpawner } from './utility-spawner.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const appRoot = app.getAppPath();
const isDev = !app.isPackaged && (process.argv.includes('--dev') || process.env['PASTICHE_DEV'] === '1');

// Must run before 'ready': a standard + secure scheme gets an origin, fetch and CSP like https.
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);

// Test runs point userData at a temp folder so they never touch the user's settings.
if (process.env['PASTICHE_USER_DATA']) app.setPath('userData', process.env['PASTICHE_USER_DATA']);

let mainWindow: BrowserWindow | null = null;
let host: HandlerHost | null = null;

/** When each export began (its first progress event), for the notification at its end. */
const exportsStarted = new Map<string, number>();

function emit<E extends EventName>(event: E, payload: EventContract[E]): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(event, payload);
  if (event === 'export:progress') {
    const { jobId } = payload as EventContract['export:progress'];
    if (!exportsStarted.has(jobId)) exportsStarted.set(jobId, Date.now());
  } else if (event === 'export:done') notifyExportDone(payload as ExportDone);
}

/** A long export that ends while the window is in the background says so on the desktop. */
function notifyExportDone(done: ExportDone): void {
  const t0 = exportsStarted.get(done.jobId);
  exportsStarted.delete(done.jobId);
  const focused = Boolean(mainWindow && !mainWindow.isDestroyed() && mainWindow.isFocused());
  const notice = exportNotice(done, t0 === undefined ? 0 : Date.now() - t0, focused);
  if (!notice || !Notification.isSupported()) return;
  const n = new Notification(notice);
  n.on('click', () => mainWindow?.show());
  n.show();
}

/** Deny everything a page could ask for: navigation, popups, webviews, permissions. */
function guardContents(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-redirect', (e, url) => {
    if (!isAllowedNavigation(url)) e.preventDefault();
  });
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLinkAllowed(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // Defense in depth for anything served over http(s) (nothing should be): same CSP.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
}

function registerProtocol(rendererDir: string, media: Parameters<typeof serveMedia>[1]): void {
  protocol.handle(SCHEME, async (request) => {
    const url = new URL(request.url);
    const headers: Record<string, string> = { 'x-content-type-options': 'nosniff' };
    if (url.host === 'app') {
      const file = resolveStatic(rendererDir, url.pathname);
      if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) return new Response('Not found', { status: 404, headers });
      return new Response(fs.readFileSync(file), {
        status: 200,
        headers: { ...headers, 'content-type': mimeOf(file), 'content-security-policy': CSP },
      });
    }
    const parsed = parseMediaRequest(url.host, url.pathname, url.searchParams);
    if (!parsed.ok) return new Response(parsed.message, { status: parsed.status, headers });
    const res = await serveMedia(parsed.value, media);
    return new Response(new Uint8Array(res.body), { status: res.status, headers: { ...headers, ...res.headers } });
  });
}

function createWindow(): BrowserWindow {
  const prefs = webPreferences(path.join(here, '..', 'preload', 'preload.cjs'), isDev);
  // Read back by the Electron app tests (Electron has no getter for a window's web preferences).
  (globalThis as { __pasticheWebPreferences?: unknown }).__pasticheWebPreferences = Object.freeze({ ...prefs });
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#101114',
    title: 'Pastiche',
    webPreferences: prefs,
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY);
  win.on('closed', () => {
    host?.abortAll();
    mainWindow = null;
  });
  return win;
}

async function start(): Promise<void> {
  await app.whenReady();
  if (!process.env['PASTICHE_USER_DATA']) await adoptLegacyUserData(app.getPath('userData'));
  hardenSession();
  app.on('web-contents-created', (_e, contents) => guardContents(contents));

  const resources = app.isPackaged ? process.resourcesPath : path.join(appRoot, 'build');
  const modelsDir = process.env['PASTICHE_MODELS_DIR'] ?? (app.isPackaged ? path.join(process.resourcesPath, 'models') : path.join(appRoot, 'models'));
  const started = await startApp({
    userData: app.getPath('userData'),
    picturesDir: app.getPath('pictures'),
    modelsDir,
    samplePhoto: path.join(resources, 'sample-photo.jpg'),
    ...(app.isPackaged ? { trainerRoot: process.resourcesPath } : {}),
    spawner: utilitySpawner,
    version: app.getVersion(),
    dialogs: {
      async openFolder(defaultPath) {
        const r = await dialog.showOpenDialog(mainWindow!, { title: 'Open a folder of photos', properties: ['openDirectory'], ...(defaultPath ? { defaultPath } : {}) });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      async choosePainting(defaultPath) {
        const r = await dialog.showOpenDialog(mainWindow!, {
          title: 'Choose a painting to learn a style from',
          properties: ['openFile'],
          filters: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif'] }],
          ...(defaultPath ? { defaultPath } : {}),
        });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      async chooseRecipe(defaultPath) {
        const r = await dialog.showOpenDialog(mainWindow!, {
          title: 'Use settings from a painted file',
          properties: ['openFile'],
          filters: [{ name: 'Images', extensions: ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif'] }],
          ...(defaultPath ? { defaultPath } : {}),
        });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
      async openFiles(defaultPath) {
        const r = await dialog.showOpenDialog(mainWindow!, {
          title: 'Open photos',
          properties: ['openFile', 'multiSelections'],
          filters: [{ name: 'Photos', extensions: ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'avif', 'heic'] }],
          ...(defaultPath ? { defaultPath } : {}),
        });
        return r.canceled ? null : r.filePaths;
      },
      async chooseOutputFolder(defaultPath) {
        const r = await dialog.showOpenDialog(mainWindow!, {
          title: 'Choose the output folder',
          properties: ['openDirectory', 'createDirectory'],
          ...(defaultPath ? { defaultPath } : {}),
        });
        return r.canceled ? null : (r.filePaths[0] ?? null);
      },
    },
    emit,
    openPath: (p) => shell.openPath(p),
  });
  host = started.host;
  const { drops } = started;

  registerProtocol(path.join(appRoot, 'dist', 'renderer'), started.media);

  const h = host;
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, ...args: unknown[]) =>
      // The frame, not just the WebContents: a subframe of another origin must not reach IPC.
      // Handlers are per sender (webContents) for the drop bookkeeping.
      dispatch(h.forSender(event.sender.id), channel, event.senderFrame?.url ?? null, [APP_ORIGIN], args),
    );
  }
  // The preload's report of a real drop (never reachable from the page: its bridge only invokes CHANNELS).
  ipcMain.on(PRELOAD_DROPPED, (event, ...args: unknown[]) => {
    const frame = event.senderFrame;
    if (!frame || frame !== event.sender.mainFrame || !isTrustedSender(frame.url, [APP_ORIGIN])) return;
    const [paths] = args as Partial<PreloadContract[typeof PRELOAD_DROPPED]>;
    drops.record(event.sender.id, paths);
  });
  app.on('web-contents-created', (_e, contents) => {
    const id = contents.id;
    contents.once('destroyed', () => h.forgetSender(id));
  });

  const send = (cmd: MenuCommand): void => emit('menu:command', cmd);
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(process.platform, isDev, send)));

  mainWindow = createWindow();
  app.on('activate', () => {
    if (!mainWindow) mainWindow = createWindow();
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void host?.close();
  });
  start().catch((e: unknown) => {
    dialog.showErrorBox('Pastiche could not start', e instanceof Error ? (e.stack ?? e.message) : String(e));
    app.exit(1);
  });
}
