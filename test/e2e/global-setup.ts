// Builds if needed, generates test photos, starts the e2e host and hands its URL
// and folders to the tests through the environment (Playwright passes env set
// here on to its workers). Returns the teardown.

import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTestPhotos } from './fixtures.js';
import { startHost } from './host.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function modelsDir(): string {
  const candidates = [process.env['PASTICHE_MODELS_DIR'], path.join(repoRoot, 'test', 'fixtures', 'models'), path.join(repoRoot, 'models')];
  for (const c of candidates) if (c && fs.existsSync(path.join(c, 'manifest.json'))) return c;
  throw new Error('No models: set PASTICHE_MODELS_DIR or add test/fixtures/models/manifest.json');
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const need = ['dist/renderer/index.html', 'dist/electron/services/handlers.js', 'dist/electron/worker/inference-worker.js', 'dist/electron/preload/preload.cjs'];
  if (process.env['PASTICHE_E2E_BUILD'] === '1' || need.some((f) => !fs.existsSync(path.join(repoRoot, f)))) {
    execSync('npm run build', { cwd: repoRoot, stdio: 'inherit' });
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-e2e-'));
  const photos = await makeTestPhotos(base);
  fs.mkdirSync(path.join(repoRoot, 'test-results', 'screenshots'), { recursive: true });
  const host = await startHost({
    repoRoot,
    modelsDir: modelsDir(),
    userData: path.join(base, 'user-data'),
    dialogs: { openFolder: photos.root, openFiles: null, chooseOutputFolder: photos.out },
  });
  process.env['E2E_URL'] = host.url;
  process.env['E2E_PHOTOS'] = photos.root;
  process.env['E2E_BIG'] = photos.big;
  process.env['E2E_MANY'] = photos.many;
  process.env['E2E_OUT'] = photos.out;
  process.env['E2E_BASE'] = base;
  return async () => {
    await host.close();
    fs.rmSync(base, { recursive: true, force: true });
  };
}
