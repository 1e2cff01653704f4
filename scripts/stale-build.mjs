// Whether dist/ is older than the sources it is built from, so `npm start` rebuilds after an edit.
import fs from 'node:fs';
import path from 'node:path';

/** Built files `npm start` needs; the oldest of them dates the build. */
export const BUILT = ['dist/electron/main/main.js', 'dist/electron/preload/preload.cjs', 'dist/renderer/index.html', 'dist/electron/cli/pastiche.js'];
/** What `npm run build` reads: folders walked recursively, and single files. Component specs are not built. */
export const SOURCES = ['electron', 'renderer', 'scripts/build-preload.mjs', 'tsconfig.base.json', 'tsconfig.node.json'];

function newest(root, rel) {
  const full = path.join(root, rel);
  const st = fs.statSync(full, { throwIfNoEntry: false });
  if (!st) return null;
  if (!st.isDirectory()) return rel.endsWith('.spec.ts') ? null : { file: rel, mtimeMs: st.mtimeMs };
  let best = null;
  for (const entry of fs.readdirSync(full)) {
    if (entry === 'node_modules') continue;
    const n = newest(root, path.join(rel, entry));
    if (n && (!best || n.mtimeMs > best.mtimeMs)) best = n;
  }
  return best;
}

/** Why a build is needed (a sentence), or null when dist/ is complete and newer than every source. */
export function staleReason(root) {
  let oldest = null;
  for (const f of BUILT) {
    const st = fs.statSync(path.join(root, f), { throwIfNoEntry: false });
    if (!st) return `${f} is missing`;
    if (oldest === null || st.mtimeMs < oldest) oldest = st.mtimeMs;
  }
  let latest = null;
  for (const s of SOURCES) {
    const n = newest(root, s);
    if (n && (!latest || n.mtimeMs > latest.mtimeMs)) latest = n;
  }
  return latest && latest.mtimeMs > oldest ? `${latest.file} changed after the last build` : null;
}
