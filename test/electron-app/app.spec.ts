// The real Electron app, driven by Playwright's _electron. Runs where the Electron
// binary is installed; elsewhere every test skips with the reason printed.

import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Path of the Electron binary without require('electron') (which would try to download it). */
function electronBinary(): string | null {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  const fallback = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : process.platform === 'win32' ? 'electron.exe' : 'electron';
  const rel = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : fallback;
  const override = process.env['ELECTRON_OVERRIDE_DIST_PATH'];
  const full = override ? path.join(override, rel) : path.join(dir, 'dist', rel);
  return fs.existsSync(full) ? full : null;
}

const binary = electronBinary();
const reason = 'Electron binary not installed (node_modules/electron/dist missing; set ELECTRON_OVERRIDE_DIST_PATH or run `npx install-electron`)';
if (!binary) console.log(`[electron-app] skipping: ${reason}`);

test.describe('Electron app', () => {
  test.skip(!binary, reason);

  let app: ElectronApplication;
  let page: Page;
  let userData: string;

  test.beforeAll(async () => {
    userData = fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-electron-'));
    const models = process.env['PASTICHE_MODELS_DIR'] ?? path.join(root, 'models');
    app = await electron.launch({
      executablePath: binary!,
      args: [root, ...(process.platform === 'linux' ? ['--no-sandbox', '--disable-gpu'] : [])],
      cwd: root,
      env: { ...process.env, PASTICHE_USER_DATA: userData, PASTICHE_MODELS_DIR: models } as Record<string, string>,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });

  test.afterAll(async () => {
    await app?.close();
    fs.rmSync(userData, { recursive: true, force: true });
  });

  test('loads from pastiche://app with a locked-down window', async () => {
    expect(page.url()).toBe('pastiche://app/index.html');
    const prefs = await app.evaluate(() => (globalThis as { __pasticheWebPreferences?: Record<string, unknown> }).__pasticheWebPreferences);
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    // Nothing of Node or Electron leaks into the page; only the typed bridge.
    const env = await page.evaluate(() => ({
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
      bridge: Object.keys(window.pastiche).sort(),
    }));
    expect(env).toEqual({ require: 'undefined', process: 'undefined', bridge: ['invoke', 'mediaBase', 'on', 'pathForFile', 'platform'] });
  });

  test('serves the CSP header with the app', async () => {
    const csp = await page.evaluate(async () => (await fetch(location.href)).headers.get('content-security-policy'));
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });

  test('blocks navigation and new windows', async () => {
    const opened = await page.evaluate(() => window.open('https://example.com/') === null);
    expect(opened).toBe(true);
    await page.evaluate(() => {
      location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('pastiche://app/index.html');
    expect(app.windows()).toHaveLength(1);
  });

  test('IPC refuses bad arguments with precise messages', async () => {
    const r = await page.evaluate(async () => {
      const invoke = window.pastiche.invoke as (c: string, ...a: unknown[]) => Promise<unknown>;
      return [
        await invoke('settings:set', { previewSize: 'abc' }),
        await invoke('gallery:list', '/etc/../etc'),
        await invoke('preview:render', '/etc/passwd', {}, 't'),
        // Not dropped on this window (the preload reports real drops only): refused.
        await invoke('gallery:addPaths', ['/etc']),
        // The preload's internal channel is not reachable through the bridge.
        await invoke('preload:dropped', ['/etc']),
      ];
    });
    expect(r[0]).toMatchObject({ ok: false, error: { code: 'bad-argument', message: "Expected integer between 64 and 4096 for previewSize but received 'abc'" } });
    expect(r[1]).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
    expect(r[2]).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    expect(r[3]).toMatchObject({ ok: false, error: { code: 'not-allowed', message: expect.stringContaining('not dropped on this window') } });
    expect(r[4]).toMatchObject({ ok: false, error: { code: 'bad-argument', message: "Unknown channel 'preload:dropped'" } });
  });

  test('the protocol refuses paths outside opened folders', async () => {
    const statuses = await app.evaluate(async ({ net }) => {
      const get = async (u: string): Promise<number> => (await net.fetch(u)).status;
      return {
        outside: await get(`pastiche://photo/${encodeURIComponent('/etc/passwd.jpg')}`),
        dotdot: await get(`pastiche://photo/${encodeURIComponent('/tmp/../etc/x.jpg')}`),
        notPhoto: await get(`pastiche://photo/${encodeURIComponent('/etc/passwd')}`),
        appEscape: await get('pastiche://app/%2e%2e/%2e%2e/package.json'),
      };
    });
    expect(statuses).toEqual({ outside: 403, dotdot: 400, notPhoto: 403, appEscape: 404 });
  });
});
