#!/usr/bin/env node
// `npm start`: runs the desktop app when the Electron binary is installed.
// Where it is not (CI, headless boxes, blocked downloads) it says why and runs a
// useful fallback instead: the CLI lists the built-in styles, paints the bundled
// sample photo in every style in one batch into dist/sample-output/, and writes one
// labelled contact sheet, whose path is the last line printed.
// Rebuilds first when dist/ is missing or older than its sources (`-- --build` forces it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleReason } from './stale-build.mjs';

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

const stale = process.argv.includes('--build') ? 'asked to (--build)' : staleReason(root);
if (stale) {
  console.log(`Building: ${stale}.`);
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
if (run(process.execPath, [cli, 'styles']) !== 0) process.exit(1);
const out = path.join(root, 'dist', 'sample-output');
const sample = path.join(root, 'build', 'sample-photos', 'seeding-by-clemens-engelhardt.jpg');
const listed = spawnSync(process.execPath, [cli, 'styles', '--json'], { cwd: root, encoding: 'utf8', env });
let styles;
try {
  const parsed = JSON.parse(listed.stdout);
  styles = (Array.isArray(parsed) ? parsed : (parsed.styles ?? [])).filter((s) => typeof s.id === 'string');
} catch {
  styles = [];
}
if (styles.length === 0) {
  console.log('\nNo usable styles found (see above). Try `node bin/pastiche.js doctor`.');
  process.exit(1);
}
console.log(`\nPainting ${path.relative(root, sample)} (Clemens Engelhardt, CC0) in all ${styles.length} styles into ${path.relative(root, out)}/<style>/ ...`);
fs.rmSync(out, { recursive: true, force: true });
const code = run(process.execPath, [cli, 'stylize', sample, '--out', out, '--style', 'all']);
if (code !== 0) process.exit(code);

const { writeContactSheet } = await import('./contact-sheet.mjs');
const sheet = path.join(out, 'contact-sheet.jpg');
const tiles = [
  { file: sample, label: 'Photo (Clemens Engelhardt, CC0)' },
  ...styles.map((s) => ({ file: path.join(out, s.id, `${path.basename(sample, '.jpg')}_${s.id}.jpg`), label: s.title || s.id })),
];
await writeContactSheet(tiles, sheet);
console.log(`\nContact sheet of the photo and every style (each painting is in ${path.relative(root, out)}/<style>/).`);
console.log('Run `node bin/pastiche.js --help` for more. The contact sheet:');
console.log(sheet);
