import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { call, dispatch } from '../../../electron/services/ipc-handler.js';
import type { Handlers } from '../../../electron/services/ipc-handler.js';
import { createOutputFolderHandlers } from '../../../electron/services/output-folder.js';
import { AllowedRoots } from '../../../electron/services/roots.js';
import { defaultOutputDir, SettingsStore } from '../../../electron/services/settings.js';
import { makeReadOnlyDir } from '../engine/helpers.js';

const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-outdir-')));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

function setup(): { h: Handlers; roots: AllowedRoots; def: string } {
  const roots = new AllowedRoots();
  const def = defaultOutputDir(path.join(base, `Pictures-${Math.random().toString(36).slice(2)}`));
  return { h: createOutputFolderHandlers({ roots, defaultDir: def }) as unknown as Handlers, roots, def };
}

describe('export:checkFolder', () => {
  it('reports a read-only folder when it is chosen, with the reason', async () => {
    const { h, roots } = setup();
    const ro = path.join(base, 'ro');
    const undo = makeReadOnlyDir(ro);
    if (!undo) return;
    try {
      roots.add(ro, 'dir');
      const r = await call(h, 'export:checkFolder', ro);
      expect(r).toEqual({
        ok: true,
        value: { path: ro, writable: false, problem: expect.stringMatching(/^Cannot write to .*ro: (it is on a read-only file system|it is not writable)\. Choose another folder\.$/) },
      });
      expect(fs.readdirSync(ro)).toEqual([]);
    } finally {
      undo();
    }
  });

  it('says yes to a writable chosen folder and leaves nothing in it', async () => {
    const { h, roots } = setup();
    const ok = path.join(base, 'ok');
    fs.mkdirSync(ok);
    roots.add(ok, 'dir');
    expect(await call(h, 'export:checkFolder', ok)).toEqual({ ok: true, value: { path: ok, writable: true, problem: null } });
    expect(fs.readdirSync(ok)).toEqual([]);
  });

  it('creates and allows the default folder (Pictures/Pastiche), and only that one unchosen', async () => {
    const { h, roots, def } = setup();
    expect(path.basename(def)).toBe('Pastiche');
    expect(await call(h, 'export:checkFolder', def)).toEqual({ ok: true, value: { path: def, writable: true, problem: null } });
    expect(fs.statSync(def).isDirectory()).toBe(true);
    expect(roots.containsDir(def)).toBe(true);
    const other = path.join(base, 'never-chosen');
    fs.mkdirSync(other);
    expect(await call(h, 'export:checkFolder', other)).toEqual({
      ok: false,
      error: { code: 'not-allowed', message: `Output folder '${other}' was not chosen with the folder dialog; choose it there first` },
    });
  });

  it('refuses bad arguments and foreign senders precisely', async () => {
    const { h } = setup();
    expect(await call(h, 'export:checkFolder', 'relative/dir')).toEqual({ ok: false, error: { code: 'bad-argument', message: "Expected absolute path for folder but received 'relative/dir'" } });
    expect(await h['export:checkFolder']()).toEqual({ ok: false, error: { code: 'bad-argument', message: 'Expected 1 argument but received 0' } });
    const r = await dispatch(h, 'export:checkFolder', 'https://evil.example', ['pastiche://app'], [base]);
    expect(r).toMatchObject({ ok: false, error: { code: 'bad-sender' } });
  });
});

describe('default output folder setting', () => {
  it('reads as Pictures/Pastiche until a folder is chosen', () => {
    const file = path.join(base, 'settings.json');
    const s = new SettingsStore(file, { picturesDir: path.join(base, 'Pics') });
    expect(s.get().outputDir).toBe(path.join(base, 'Pics', 'Pastiche'));
    expect(s.set({ outputDir: base }).outputDir).toBe(base);
    expect(new SettingsStore(file).get().outputDir).toBe(base);
    expect(defaultOutputDir()).toBe(path.join(os.homedir(), 'Pictures', 'Pastiche'));
  });
});
