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
 * The app's name as Electron reads it (package.json productName, else name): its user-data folder
 * is <appData>/<this name>, in development and in the packaged app alike.
 */
export const APP_NAME = 'Pastiche';

/**
 * The app's user-data folder, as Electron's app.getPath('userData') gives it (<appData>/Pastiche;
 * appData: %APPDATA% on Windows, ~/Library/Application Support on macOS, $XDG_CONFIG_HOME or
 * ~/.config on Linux), so the CLI and the app share the user's styles. PASTICHE_USER_DATA
 * overrides it for both.
 */
export function resolveUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const explicit = env['PASTICHE_USER_DATA'];
  if (explicit) return path.resolve(explicit);
  if (platform === 'win32') return p.join(env['APPDATA'] || p.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return p.join(home, 'Library', 'Application Support', APP_NAME);
  // Chromium ignores an empty XDG_CONFIG_HOME (base::nix::GetXDGDirectory).
  return p.join(env['XDG_CONFIG_HOME'] || p.join(home, '.config'), APP_NAME);
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
