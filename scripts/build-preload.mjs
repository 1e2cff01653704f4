// Bundles the preload to one CommonJS file: Electron's sandboxed preloads can
// neither be ES modules nor require() files of their own.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [path.join(root, 'electron/preload/preload.ts')],
  outfile: path.join(root, 'dist/electron/preload/preload.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  // Electron 45 ships Node 22 / Chromium 140.
  target: ['node22', 'chrome140'],
  external: ['electron'],
  sourcemap: 'linked',
  logLevel: 'warning',
});
console.log('preload -> dist/electron/preload/preload.cjs');
