// The sandboxed preload must be one CommonJS file whose only require is 'electron',
// exposing exactly the contract's channels.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { build } from 'esbuild';
import { CHANNELS, EVENTS, isChannel, isEventName } from '../../../electron/common/ipc-contract.js';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('preload bundle', () => {
  it('is CommonJS requiring only electron', async () => {
    const out = await build({
      entryPoints: [path.join(root, 'electron/preload/preload.ts')],
      bundle: true,
      format: 'cjs',
      platform: 'node',
      external: ['electron'],
      write: false,
      logLevel: 'silent',
    });
    const code = out.outputFiles[0]!.text;
    const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(new Set(requires)).toEqual(new Set(['electron']));
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).toContain('exposeInMainWorld("pastiche"');
    // ipcRenderer itself is never handed to the page.
    expect(code).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
  });
});

describe('contract channel lists', () => {
  it('lists every channel and event once, domain:verb shaped', () => {
    expect(new Set(CHANNELS).size).toBe(CHANNELS.length);
    for (const c of [...CHANNELS, ...EVENTS]) expect(c).toMatch(/^[a-z]+:[a-zA-Z]+$/);
    expect(isChannel('preview:render')).toBe(true);
    expect(isChannel('toString')).toBe(false);
    expect(isChannel('__proto__')).toBe(false);
    expect(isEventName('export:progress')).toBe(true);
    expect(isEventName(42)).toBe(false);
  });
});
