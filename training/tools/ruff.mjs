// ruff check over the trainer's Python (training/), with the settings of [tool.ruff] in
// pyproject.toml, run by ruff's own WebAssembly build from npm (@astral-sh/ruff-wasm-nodejs), so a
// checkout needs no Python package for it. Prints `path:row:col: CODE message` per finding and
// exits 1 if there is any.
// usage: node training/tools/ruff.mjs [files or folders; default training]
// The WebAssembly build checks one source at a time, without its path: per-file-ignores and
// path-based settings do not apply (use `# noqa: CODE` on the line instead).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';

const root = fileURLToPath(new URL('../..', import.meta.url));
// Python reads the TOML (tomllib, 3.11+): the trainer needs /usr/bin/python3 anyway.
const python = process.env.PYTHON ?? 'python3';
let settings;
try {
  settings = JSON.parse(execFileSync(python, ['-c',
    'import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], "rb"))["tool"]["ruff"]))',
    join(root, 'pyproject.toml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
} catch (e) {
  console.error(`Expected [tool.ruff] settings in pyproject.toml, read with ${python} (3.11+): ${String(e.stderr ?? e.message).trim().split('\n').pop()}`);
  process.exit(2);
}

/** Python files under the given paths, sorted; __pycache__ skipped. */
function pythonFiles(path) {
  if (!statSync(path).isDirectory()) return path.endsWith('.py') ? [path] : [];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== '__pycache__')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => pythonFiles(join(path, e.name)));
}

const workspace = new Workspace(settings, PositionEncoding.Utf16);
const args = process.argv.slice(2);
const files = (args.length ? args : [join(root, 'training')]).flatMap(pythonFiles);
let findings = 0;
for (const file of files) {
  for (const d of workspace.check(readFileSync(file, 'utf8'))) {
    findings++;
    console.log(`${relative(root, file)}:${d.start_location.row}:${d.start_location.column}: ${d.code ?? 'syntax'} ${d.message}`);
  }
}
console.log(`ruff ${Workspace.version()}: ${files.length} file${files.length === 1 ? '' : 's'}, ${findings} finding${findings === 1 ? '' : 's'}`);
process.exit(findings ? 1 : 0);
