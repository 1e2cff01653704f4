// Locations of the package root, the bundled models and the worker entry point.
import { existsSync } from 'node:fs';
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
 * Compiled worker script. Running from source (vitest) there is no .js next to us, so use
 * the tsc output in dist/; tests may also pass an explicit path.
 */
export function defaultWorkerPath(): string {
  const sibling = path.join(here, '..', 'worker', 'inference-worker.js');
  if (existsSync(sibling)) return sibling;
  return path.join(packageRoot(), 'dist', 'electron', 'worker', 'inference-worker.js');
}
