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

// The real built-in pack by default (what users get); PASTICHE_MODELS_DIR overrides it.
// The tiny fixture pack stays for the engine's unit tests.
function modelsDir(): string {
  const override = process.env['PASTICHE_MODELS_DIR'];
  if (override) {
    if (!fs.existsSync(path.join(override, 'manifest.json'))) throw new Error(`PASTICHE_MODELS_DIR=${override} has no manifest.json`);
    return override;
  }
  const candidates = [path.join(repoRoot, 'models'), path.join(repoRoot, 'test', 'fixtures', 'models')];
  for (const c of candidates) if (fs.existsSync(path.join(c, 'manifest.json'))) return c;
  throw new Error('No models: set PASTICHE_MODELS_DIR or add models/manifest.json');
}

/**
 * A data folder with the shared VGG19 weights and 4 of the open training photos (linked), or
 * undefined where the shared data is absent (the add-style tests then skip).
 */
function smallTrainerData(root: string, base: string): string | undefined {
  const shared = path.resolve(root, '..', 'shared', 'data');
  const open = path.join(shared, 'content', 'open');
  if (!fs.existsSync(path.join(shared, 'vgg19', 'model.json')) || !fs.existsSync(open)) return undefined;
  const d = path.join(base, 'trainer-data');
  fs.mkdirSync(path.join(d, 'content', 'open'), { recursive: true });
  fs.symlinkSync(path.join(shared, 'vgg19'), path.join(d, 'vgg19'));
  const photos = fs
    .readdirSync(open)
    .filter((n) => /\.(jpe?g|png)$/i.test(n))
    .sort()
    .slice(0, 4);
  for (const n of photos) fs.symlinkSync(path.join(open, n), path.join(d, 'content', 'open', n));
  return d;
}

/** Style ids and model ids of a manifest, in manifest order (the app lists them in this order). */
function manifestInfo(dir: string): { styles: string[]; models: string[] } {
  // A vector-input pack lists its style files' ids (styles.builtin); a weights-input one, style entries.
  const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { models: { id: string; styles: { id: string }[] | { builtin: string[] } }[] };
  return { styles: m.models.flatMap((x) => (Array.isArray(x.styles) ? x.styles.map((st) => st.id) : x.styles.builtin)), models: m.models.map((x) => x.id) };
}

// Real photos, where the shared evaluation data sits beside the repo (here and in CI).
const KODAK = path.resolve(repoRoot, '..', 'shared', 'data', 'eval', 'kodak');

export default async function globalSetup(): Promise<() => Promise<void>> {
  const need = ['dist/renderer/index.html', 'dist/electron/app/start-app.js', 'dist/electron/worker/inference-worker.js', 'dist/electron/preload/preload.cjs'];
  if (process.env['PASTICHE_E2E_BUILD'] === '1' || need.some((f) => !fs.existsSync(path.join(repoRoot, f)))) {
    execSync('npm run build', { cwd: repoRoot, stdio: 'inherit' });
  }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-e2e-'));
  const photos = await makeTestPhotos(base, fs.existsSync(KODAK) ? KODAK : null);
  if (photos.real.length === 0) console.log(`[e2e] ${KODAK} not found: synthetic photos only`);
  fs.mkdirSync(path.join(repoRoot, 'test-results', 'screenshots'), { recursive: true });
  const models = modelsDir();
  const info = manifestInfo(models);
  // Start on the CPU (deterministic on every machine) with the smallest preview preset: tests
  // that care about the refined size pick it in the UI.
  const userData = path.join(base, 'user-data');
  fs.mkdirSync(userData, { recursive: true });
  fs.writeFileSync(path.join(userData, 'settings.json'), JSON.stringify({ device: 'cpu', previewSize: 768 }));
  // "Add painting as a style…" and `pastiche styles add` run the real learner, for a few steps, on a
  // few of the training photos (linked from the shared data: decoding them all would dominate).
  const data = process.env['PASTICHE_SHARED_DIR'] ?? smallTrainerData(repoRoot, base);
  if (data) process.env['PASTICHE_SHARED_DIR'] = data;
  else console.log('[e2e] ../shared/data not found: the add-style tests skip');
  const host = await startHost({
    repoRoot,
    modelsDir: models,
    userData,
    learnSteps: 20,
    dialogs: { openFolder: photos.root, openFiles: null, chooseOutputFolder: photos.out },
  });
  process.env['E2E_URL'] = host.url;
  process.env['E2E_PHOTOS'] = photos.root;
  process.env['E2E_BIG'] = photos.big;
  process.env['E2E_MANY'] = photos.many;
  process.env['E2E_OUT'] = photos.out;
  process.env['E2E_BASE'] = base;
  process.env['E2E_PHOTO_COUNT'] = String(photos.count);
  process.env['E2E_REAL'] = JSON.stringify(photos.real);
  process.env['E2E_STYLES'] = JSON.stringify(info.styles);
  process.env['E2E_MODELS'] = JSON.stringify(info.models);
  // The CLI tests run `pastiche` on the host's models and user-data folder (so the same styles folder).
  process.env['E2E_MODELS_DIR'] = models;
  process.env['E2E_USER_DATA'] = userData;
  return async () => {
    await host.close();
    fs.rmSync(base, { recursive: true, force: true });
  };
}
