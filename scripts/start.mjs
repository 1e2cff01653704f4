#!/usr/bin/env node
// `npm start`: runs the desktop app when the Electron binary is installed.
// Where it is not (CI, headless boxes, blocked downloads) it says why and runs a
// useful fallback instead: the CLI lists the built-in styles and paints the
// bundled sample photo with each of them into dist/sample-output/.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env }).status ?? 1;

/** Path of the Electron binary, without require('electron') (which tries to download it). */
function electronBinary() {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  const fallback = process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : process.platform === 'win32' ? 'electron.exe' : 'electron';
  const rel = fs.existsSync(pathFile) ? fs.readFileSync(pathFile, 'utf8').trim() : fallback;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const full = override ? path.join(override, rel) : path.join(dir, 'dist', rel);
  return fs.existsSync(full) ? full : null;
}

const built = ['dist/electron/main/main.js', 'dist/electron/preload/preload.cjs', 'dist/renderer/index.html', 'dist/electron/cli/pastiche.js'].every((f) =>
  fs.existsSync(path.join(root, f)),
);
if (!built || process.argv.includes('--build')) {
  const code = run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build']);
  if (code !== 0) process.exit(code);
}

const electron = electronBinary();
if (electron) {
  const args = ['.', ...process.argv.slice(2).filter((a) => a !== '--build')];
  process.exit(run(electron, args));
}

console.log(
  [
    'Pastiche: the Electron binary is not installed (node_modules/electron/dist is missing),',
    'so the desktop app cannot start here. Install it with `npx install-electron` where',
    'the network allows, or point ELECTRON_OVERRIDE_DIST_PATH at an Electron 45 build.',
    '',
    'Meanwhile, the command line does the same work. Built-in styles:',
    '',
  ].join('\n'),
);
const cli = path.join(root, 'bin', 'pastiche.js');
// Until the real model pack is in models/, the tiny test fixture models keep the demo working.
const fixtures = path.join(root, 'test', 'fixtures', 'models');
if (!env.PASTICHE_MODELS_DIR && !fs.existsSync(path.join(root, 'models', 'manifest.json')) && fs.existsSync(path.join(fixtures, 'manifest.json'))) {
  console.log('(models/ has no manifest yet: using the test fixture models in test/fixtures/models)\n');
  env.PASTICHE_MODELS_DIR = fixtures;
}
if (run(process.execPath, [cli, 'styles']) !== 0) process.exit(1);
const out = path.join(root, 'dist', 'sample-output');
const sample = path.join(root, 'build', 'sample-photo.jpg');
const listed = spawnSync(process.execPath, [cli, 'styles', '--json'], { cwd: root, encoding: 'utf8', env });
let ids;
try {
  const parsed = JSON.parse(listed.stdout);
  ids = (Array.isArray(parsed) ? parsed : (parsed.styles ?? [])).map((s) => s.id).filter((id) => typeof id === 'string');
} catch {
  ids = [];
}
if (ids.length === 0) {
  console.log('\nNo usable styles found (see above). Try `node bin/pastiche.js doctor`.');
  process.exit(1);
}
console.log(`\nPainting ${path.relative(root, sample)} in ${ids.length} styles into ${path.relative(root, out)}/ ...`);
for (const id of ids) {
  const dir = path.join(out, id);
  const code = run(process.execPath, [cli, 'stylize', sample, '--out', dir, '--style', id, '--size', '1024']);
  if (code !== 0) process.exit(code);
}
console.log(`\nDone: open ${out} to see the results. Run \`node bin/pastiche.js --help\` for more.`);
