// The user's styles folder watched while the app runs: what the CLI writes there reaches the page
// as styles:changed (real files, the real engine on the shipped pack), a bad file never hides the
// others, and the watch outlives a folder that is missing or removed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EventContract, EventName, StylesList } from '../../../electron/common/ipc-contract.js';
import { writeFileAtomic } from '../../../electron/catalog/style-files.js';
import { DroppedPaths } from '../../../electron/services/drops.js';
import { createHandlers } from '../../../electron/services/handlers.js';
import { ResultStore } from '../../../electron/services/media.js';
import { AllowedRoots } from '../../../electron/services/roots.js';
import { SettingsStore } from '../../../electron/services/settings.js';
import { StyleThumbs } from '../../../electron/services/style-thumbs.js';
import { styleFolderSignature, watchStylesFolder, type StylesWatch } from '../../../electron/services/styles-watch.js';
import { packEngines, PACK_MODELS, tmpDir } from '../engine/helpers.js';

const FAST = { debounceMs: 40, pollMs: 80 };
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A user style file as the trainer writes it: a built-in style's vector under a new id. */
function styleText(id: string, title: string): string {
  const doc = JSON.parse(fs.readFileSync(path.join(PACK_MODELS, 'styles', 'udnie.json'), 'utf8')) as Record<string, unknown>;
  return JSON.stringify({ ...doc, id, title, artist: 'Me', source: 'painting.jpg', provenance: { method: 'test' }, quality: null });
}

function counting(dir: string, o = FAST): { count: () => number; w: StylesWatch } {
  let n = 0;
  const w = watchStylesFolder(dir, () => n++, o);
  return { count: () => n, w };
}

describe('watchStylesFolder', () => {
  it('reports an atomic write once, after the folder is quiet; hidden temp files and other files never', async () => {
    const dir = tmpDir();
    // fs.watch alone: the poll is an hour away.
    const { count, w } = counting(dir, { debounceMs: 40, pollMs: 3_600_000 });
    try {
      fs.writeFileSync(path.join(dir, '.mine.json.1234.tmp'), '{');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'x');
      await wait(300);
      expect(count()).toBe(0);
      await writeFileAtomic(path.join(dir, 'mine.json'), styleText('mine', 'Mine'));
      await expect.poll(count, { timeout: 5000 }).toBe(1);
      await wait(300);
      expect(count()).toBe(1);
      // A rename rewrites the file (a new inode): that is a change too.
      await writeFileAtomic(path.join(dir, 'mine.json'), styleText('mine', 'Renamed'));
      await expect.poll(count, { timeout: 5000 }).toBe(2);
      fs.rmSync(path.join(dir, 'mine.json'));
      await expect.poll(count, { timeout: 5000 }).toBe(3);
    } finally {
      w.close();
    }
  });

  it('a folder that does not exist yet, or is removed and made again, is still watched', async () => {
    const dir = path.join(tmpDir(), 'styles');
    const { count, w } = counting(dir);
    try {
      await wait(200);
      expect(count()).toBe(0);
      await writeFileAtomic(path.join(dir, 'a.json'), styleText('a', 'A'));
      await expect.poll(count, { timeout: 5000 }).toBe(1);
      fs.rmSync(dir, { recursive: true });
      await expect.poll(count, { timeout: 5000 }).toBe(2);
      await writeFileAtomic(path.join(dir, 'b.json'), styleText('b', 'B'));
      await expect.poll(count, { timeout: 5000 }).toBe(3);
    } finally {
      w.close();
    }
  });

  it('close stops it', async () => {
    const dir = tmpDir();
    const { count, w } = counting(dir);
    w.close();
    await writeFileAtomic(path.join(dir, 'a.json'), styleText('a', 'A'));
    await wait(400);
    expect(count()).toBe(0);
  });

  it('signature: only the files the style loader reads, and "" for a missing folder', () => {
    const dir = tmpDir();
    expect(styleFolderSignature(path.join(dir, 'none'))).toBe('');
    fs.writeFileSync(path.join(dir, '.hidden.json'), '{}');
    expect(styleFolderSignature(dir)).toBe('');
    fs.writeFileSync(path.join(dir, 'x.json'), '{}');
    expect(styleFolderSignature(dir)).toMatch(/^x\.json\t2\t/);
  });
});

const packEngine = packEngines();

describe('handlers: styles:changed', () => {
  it('a style written into the folder from outside (as the CLI does) reaches the page; a corrupt file beside it is named, not hiding it', async () => {
    const base = tmpDir();
    const user = path.join(base, 'styles');
    const engine = await packEngine({ device: 'cpu', userStylesDir: user });
    const events: { event: EventName; payload: unknown }[] = [];
    const host = createHandlers({
      engine,
      drops: new DroppedPaths(),
      dialogs: { openFolder: async () => null, openFiles: async () => null, chooseOutputFolder: async () => null },
      roots: new AllowedRoots(),
      settings: new SettingsStore(path.join(base, 'settings.json')),
      results: new ResultStore(),
      styleThumbs: new StyleThumbs(path.join(base, 'cache'), path.join(base, 'sample.jpg')),
      watchUserStyles: { dir: user, ...FAST },
      emit: <E extends EventName>(event: E, payload: EventContract[E]) => void events.push({ event, payload }),
      openPath: async () => '',
      appInfo: { version: '0', platform: 'linux', arch: 'x64', modelsDir: PACK_MODELS, tileSize: 1449 },
    });
    const changes = (): StylesList[] => events.filter((e) => e.event === 'styles:changed').map((e) => e.payload as StylesList);
    try {
      const builtins = engine.styles().length;
      await writeFileAtomic(path.join(user, 'harbour.json'), styleText('harbour', 'Harbour at noon'));
      await expect.poll(() => changes().length, { timeout: 10_000 }).toBe(1);
      const first = changes()[0]!;
      expect(first.styles).toHaveLength(builtins + 1);
      expect(first.styles.find((s) => s.id === 'harbour')).toMatchObject({ title: 'Harbour at noon', source: 'user', multi: true });
      expect(first.errors).toEqual([]);
      // styles:list, asked afterwards, agrees.
      const listed = await host.handlers['styles:list']();
      expect(listed.ok && listed.value.styles.some((s) => s.id === 'harbour')).toBe(true);

      const bad = JSON.parse(styleText('broken', 'Broken')) as { vector: unknown[] };
      bad.vector[3] = 'NaN';
      fs.writeFileSync(path.join(user, 'broken.json'), JSON.stringify(bad));
      await expect.poll(() => changes().length, { timeout: 10_000 }).toBe(2);
      const second = changes()[1]!;
      expect(second.styles.map((s) => s.id)).toContain('harbour');
      expect(second.styles.map((s) => s.id)).not.toContain('broken');
      expect(second.errors).toHaveLength(1);
      expect(second.errors[0]).toContain(path.join(user, 'broken.json'));

      fs.rmSync(path.join(user, 'harbour.json'));
      await expect.poll(() => changes().length, { timeout: 10_000 }).toBe(3);
      expect(changes()[2]!.styles.map((s) => s.id)).not.toContain('harbour');
      expect(changes()[2]!.styles).toHaveLength(builtins);
    } finally {
      await host.close();
    }
  });
});
