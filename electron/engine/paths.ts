// Locations of the package root, the bundled models and the worker entry point.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Walks up from this file to the folder holding package.json (works from source and from dist/). */
export function packageRoot(): string {
  let dir = here;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package.json not found above ${here}`);
    dir = up;
  }
}

/**
 * Models folder: explicit option (packaged app passes process.resourcesPath/models),
 * else PASTICHE_MODELS_DIR, else <package root>/models.
 */
export function resolveModelsDir(explicit?: string): string {
  if (explicit) return path.resolve(explicit);
  const env = process.env['PASTICHE_MODELS_DIR'];
  if (env) return path.resolve(env);
  return path.join(packageRoot(), 'models');
}

/**
 * The app's user-data folder, as Electron's app.getPath('userData') gives it for the packaged app
 * (product name Pastiche), so the CLI and the app share the user's styles. PASTICHE_USER_DATA
 * overrides it for both.
 */
export function resolveUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const explicit = env['PASTICHE_USER_DATA'];
  if (explicit) return path.resolve(explicit);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env['APPDATA'] ?? path.join(home, 'AppData', 'Roaming'), 'Pastiche');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Pastiche');
  return path.join(env['XDG_CONFIG_HOME'] || path.join(home, '.config'), 'Pastiche');
}

/** The user's style files: PASTICHE_STYLES_DIR, else <user data>/styles. */
export function resolveUserStylesDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['PASTICHE_STYLES_DIR'];
  if (explicit) return path.resolve(explicit);
  return path.join(resolveUserDataDir(env), 'styles');
}

/**
 * Compiled worker script. Running from source (vitest) there is no .js next to us, so use
 * the tsc output in dist/; tests may also pass an explicit path.
 */
export function defaultWorkerPath(): string {
  const sibling = path.join(here, '..', 'worker', 'inference-worker.js');
  if (existsSync(sibling)) return sibling;
  return path.join(packageRoot(), 'dist', 'electron', 'worker', 'inference-worker.js');
}
