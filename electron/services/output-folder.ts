// The export's output folder: whether it can be written, asked when it is chosen (and when the
// export dialog opens on a saved or default folder), so the user hears of a read-only folder
// before pressing Export, not after.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { FolderCheck } from '../common/ipc-contract.js';
import { handler, type Handler } from './ipc-handler.js';
import type { AllowedRoots } from './roots.js';
import { absPath, ArgError } from './validate.js';

export interface OutputFolderDeps {
  roots: AllowedRoots;
  /** The default output folder (settings.ts): allowed without the dialog, created when checked. */
  defaultDir: string;
}

/** Can the app create files in `dir`? Tried for real: access() says yes to root on read-only mounts. */
export async function probeWritable(dir: string): Promise<string | null> {
  let st;
  try {
    st = await fs.stat(dir);
  } catch {
    return 'it does not exist';
  }
  if (!st.isDirectory()) return 'it is not a folder';
  const probe = path.join(dir, `.pastiche-write-test-${process.pid}-${Date.now()}`);
  try {
    await fs.writeFile(probe, '');
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'EROFS' ? 'it is on a read-only file system' : code === 'ENOSPC' ? 'the disk is full' : 'it is not writable';
  } finally {
    await fs.rm(probe, { force: true }).catch(() => undefined);
  }
}

export function createOutputFolderHandlers(deps: OutputFolderDeps): { 'export:checkFolder': Handler<'export:checkFolder'> } {
  return {
    'export:checkFolder': handler<'export:checkFolder'>(1, async (raw): Promise<FolderCheck> => {
      const dir = absPath(raw, 'folder');
      if (path.resolve(dir) === path.resolve(deps.defaultDir)) {
        // The default folder is the app's own choice: make it, then allow it like a chosen one.
        try {
          await fs.mkdir(dir, { recursive: true });
        } catch (e) {
          const why = (e as NodeJS.ErrnoException).code === 'EACCES' ? 'it cannot be created here' : 'it could not be created';
          return { path: dir, writable: false, problem: `Cannot write to ${dir}: ${why}. Choose another folder.` };
        }
        deps.roots.add(dir, 'dir');
      } else if (!deps.roots.containsDir(dir)) {
        throw new ArgError(`Output folder '${dir}' was not chosen with the folder dialog; choose it there first`, 'not-allowed');
      }
      const why = await probeWritable(dir);
      return { path: dir, writable: why === null, problem: why === null ? null : `Cannot write to ${dir}: ${why}. Choose another folder.` };
    }),
  };
}
