// The CLI's default user-data folder is the one Electron gives the app (app.getPath('userData')
// = <appData>/<app name>), so a style added with `pastiche styles add` is in the app's folder.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { APP_NAME, resolveUserDataDir, resolveUserStylesDir } from '../../../electron/engine/paths.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('resolveUserDataDir', () => {
  it('names the folder as Electron names the app: package.json productName, which the installers use too', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; productName?: string };
    // Electron's app.name is productName when package.json has one, else name (lib/browser/init.ts);
    // electron-builder keeps package.json's fields and does not add its own productName to it.
    expect(pkg.productName).toBe(APP_NAME);
    const yaml = await import('js-yaml');
    const builder = yaml.load(fs.readFileSync(path.join(root, 'build', 'electron-builder.yml'), 'utf8')) as { productName?: string };
    expect(builder.productName).toBe(APP_NAME);
  });

  it('Linux: $XDG_CONFIG_HOME/Pastiche, else ~/.config/Pastiche (an empty XDG_CONFIG_HOME is ignored)', () => {
    expect(resolveUserDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/ann')).toBe('/cfg/Pastiche');
    expect(resolveUserDataDir({}, 'linux', '/home/ann')).toBe('/home/ann/.config/Pastiche');
    expect(resolveUserDataDir({ XDG_CONFIG_HOME: '' }, 'linux', '/home/ann')).toBe('/home/ann/.config/Pastiche');
  });

  it('macOS: ~/Library/Application Support/Pastiche', () => {
    expect(resolveUserDataDir({ XDG_CONFIG_HOME: '/cfg' }, 'darwin', '/Users/ann')).toBe('/Users/ann/Library/Application Support/Pastiche');
  });

  it('Windows: %APPDATA%\\Pastiche, else the roaming folder under the profile', () => {
    expect(resolveUserDataDir({ APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'win32', 'C:\\Users\\ann')).toBe('C:\\Users\\ann\\AppData\\Roaming\\Pastiche');
    expect(resolveUserDataDir({}, 'win32', 'C:\\Users\\ann')).toBe('C:\\Users\\ann\\AppData\\Roaming\\Pastiche');
  });

  it('PASTICHE_USER_DATA overrides it on every platform (the app sets the same path)', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) expect(resolveUserDataDir({ PASTICHE_USER_DATA: '/tmp/ud' }, platform, '/home/ann')).toBe(path.resolve('/tmp/ud'));
  });
});

describe('resolveUserStylesDir', () => {
  it('PASTICHE_STYLES_DIR, else <user data>/styles', () => {
    expect(resolveUserStylesDir({ PASTICHE_STYLES_DIR: '/tmp/mine', PASTICHE_USER_DATA: '/tmp/ud' })).toBe(path.resolve('/tmp/mine'));
    expect(resolveUserStylesDir({ PASTICHE_USER_DATA: '/tmp/ud' })).toBe(path.join(path.resolve('/tmp/ud'), 'styles'));
  });
});
