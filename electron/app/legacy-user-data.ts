// Builds that took the app's name from package.json "name" kept their settings and styles in
// <appData>/pastiche; the app is now named "Pastiche" (productName), which the CLI shares. On a
// case-sensitive file system (Linux) those are two folders, so what the user made there (settings,
// styles) is moved once and an upgrade keeps it. Only those entries move: Chromium creates its
// own files in the new folder at start-up, and the caches are rebuilt. Elsewhere the two names
// are one folder and nothing happens.
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';

/** What the user made in the user-data folder; everything else there is a cache. */
export const USER_ENTRIES = ['settings.json', 'styles'] as const;

/** The folder that older builds used for this user-data folder. */
export function legacyUserDataDir(userData: string): string {
  return path.join(path.dirname(userData), path.basename(userData).toLowerCase());
}

async function statOrNull(p: string): Promise<{ dev: number; ino: number } | null> {
  try {
    return await stat(p);
  } catch {
    return null;
  }
}

/**
 * Moves settings.json and styles/ from <appData>/pastiche into userData where userData lacks
 * them. Returns the entries moved. Never throws: an entry that cannot be moved stays where it
 * was, and the app starts without it.
 */
export async function adoptLegacyUserData(userData: string): Promise<string[]> {
  const legacy = legacyUserDataDir(userData);
  if (legacy === userData) return [];
  const old = await statOrNull(legacy);
  if (!old) return [];
  const cur = await statOrNull(userData);
  // A case-insensitive file system: both names are the same folder.
  if (cur && cur.dev === old.dev && cur.ino === old.ino) return [];
  const moved: string[] = [];
  for (const name of USER_ENTRIES) {
    if (!(await statOrNull(path.join(legacy, name))) || (await statOrNull(path.join(userData, name)))) continue;
    try {
      await mkdir(userData, { recursive: true });
      await rename(path.join(legacy, name), path.join(userData, name));
      moved.push(name);
    } catch {
      // left in the old folder
    }
  }
  return moved;
}
