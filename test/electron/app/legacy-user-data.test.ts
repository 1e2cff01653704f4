import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adoptLegacyUserData, legacyUserDataDir } from '../../../electron/app/legacy-user-data.js';

let root: string;
let caseSensitive: boolean;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'pastiche-legacy-'));
  await mkdir(path.join(root, 'probe'));
  caseSensitive = !existsSync(path.join(root, 'PROBE'));
  await rm(path.join(root, 'probe'), { recursive: true });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function makeLegacy(): Promise<string> {
  const old = path.join(root, 'pastiche');
  await mkdir(path.join(old, 'styles'), { recursive: true });
  await mkdir(path.join(old, 'cache'));
  await writeFile(path.join(old, 'settings.json'), '{"theme":"light"}');
  await writeFile(path.join(old, 'styles', 'mine.json'), '{}');
  return old;
}

describe('adoptLegacyUserData', () => {
  it('names the lower-case folder beside the user-data folder', () => {
    expect(legacyUserDataDir(path.join('/home/me/.config', 'Pastiche'))).toBe(path.join('/home/me/.config', 'pastiche'));
  });

  it("moves the user's settings and styles, not the caches, into the new folder", async () => {
    const old = await makeLegacy();
    const userData = path.join(root, 'Pastiche');
    // Chromium has already created the new folder and its own files by the time the app runs.
    if (caseSensitive) await mkdir(path.join(userData, 'GPUCache'), { recursive: true });
    const moved = await adoptLegacyUserData(userData);
    if (!caseSensitive) {
      expect(moved).toEqual([]);
      return;
    }
    expect(moved).toEqual(['settings.json', 'styles']);
    expect(await readFile(path.join(userData, 'settings.json'), 'utf8')).toBe('{"theme":"light"}');
    expect(await readdir(path.join(userData, 'styles'))).toEqual(['mine.json']);
    expect((await readdir(old)).sort()).toEqual(['cache']);
  });

  it('keeps what the new folder already has', async () => {
    await makeLegacy();
    const userData = path.join(root, 'Pastiche');
    if (!caseSensitive) return;
    await mkdir(userData);
    await writeFile(path.join(userData, 'settings.json'), 'new');
    expect(await adoptLegacyUserData(userData)).toEqual(['styles']);
    expect(await readFile(path.join(userData, 'settings.json'), 'utf8')).toBe('new');
    expect(await readFile(path.join(root, 'pastiche', 'settings.json'), 'utf8')).toBe('{"theme":"light"}');
  });

  it('does nothing without an old folder', async () => {
    expect(await adoptLegacyUserData(path.join(root, 'Pastiche'))).toEqual([]);
    expect(await readdir(root)).toEqual([]);
  });
});
