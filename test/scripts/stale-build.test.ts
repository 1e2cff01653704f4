// scripts/stale-build.mjs: `npm start` rebuilds when dist/ is missing or older than a source.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// @ts-expect-error plain ES module without types
import { BUILT, staleReason } from '../../scripts/stale-build.mjs';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-build-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function touch(rel: string, secondsAgo: number): void {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  if (!fs.existsSync(f)) fs.writeFileSync(f, '');
  const t = new Date(Date.now() - secondsAgo * 1000);
  fs.utimesSync(f, t, t);
}

describe('staleReason', () => {
  it('names the first missing built file', () => {
    touch('electron/main/main.ts', 100);
    expect(staleReason(root)).toBe('dist/electron/main/main.js is missing');
  });

  it('is null when every built file is newer than every source', () => {
    touch('renderer/src/App.svelte', 100);
    touch('tsconfig.node.json', 100);
    for (const f of BUILT as string[]) touch(f, 50);
    expect(staleReason(root)).toBeNull();
  });

  it('names the source edited after the build, but not a component spec or node_modules', () => {
    touch('renderer/src/App.spec.ts', 10);
    touch('renderer/node_modules/x/index.js', 10);
    expect(staleReason(root)).toBeNull();
    touch('electron/cli/pastiche.ts', 5);
    expect(staleReason(root)).toBe(`${path.join('electron', 'cli', 'pastiche.ts')} changed after the last build`);
    touch('tsconfig.node.json', 1);
    expect(staleReason(root)).toBe('tsconfig.node.json changed after the last build');
  });
});
