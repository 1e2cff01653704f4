// Watches the user's styles folder, so styles added, renamed or removed outside the app (the CLI:
// `pastiche styles add|rename|remove` writes the same folder) appear while it runs. fs.watch where
// it works; a slow poll while it cannot (no folder yet, the folder removed, a watch refused). A
// change is reported once the folder has been quiet for debounceMs, and only when what the style
// loader reads really differs: the temporary files of an atomic write never count.

import fs from 'node:fs';
import path from 'node:path';

export interface StylesWatchOptions {
  /** Quiet time before a change is reported (an atomic write is a create and a rename). */
  debounceMs?: number;
  /** How often the folder is looked at while fs.watch is not watching it. */
  pollMs?: number;
}

export interface StylesWatch {
  close(): void;
}

/**
 * The style files as the loader sees them (readStyleDir: *.json, not hidden), each with its size,
 * time and inode (an atomic rewrite is a new inode); '' for a missing or empty folder.
 */
export function styleFolderSignature(dir: string): string {
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort();
  } catch {
    return '';
  }
  return names
    .map((n) => {
      const st = fs.statSync(path.join(dir, n), { throwIfNoEntry: false });
      return st ? `${n}\t${st.size}\t${st.mtimeMs}\t${st.ino}` : n;
    })
    .join('\n');
}

/** Calls onChange after the style files of dir change; never throws (a folder that cannot be read lists as empty). */
export function watchStylesFolder(dir: string, onChange: () => void, o: StylesWatchOptions = {}): StylesWatch {
  const debounceMs = o.debounceMs ?? 300;
  const pollMs = o.pollMs ?? 2000;
  let last = styleFolderSignature(dir);
  let watcher: fs.FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;

  const disarm = (): void => {
    watcher?.close();
    watcher = null;
  };
  const check = (): void => {
    timer = null;
    if (closed) return;
    // A removed folder's watch is dead (inotify watches the inode): poll until it is back.
    if (watcher && !fs.existsSync(dir)) disarm();
    const sig = styleFolderSignature(dir);
    if (sig === last) return;
    last = sig;
    onChange();
  };
  const soon = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, debounceMs);
    timer.unref();
  };
  const arm = (): void => {
    if (watcher || closed) return;
    try {
      watcher = fs.watch(dir, { persistent: false }, soon);
      watcher.on('error', () => {
        disarm();
        soon();
      });
    } catch {
      watcher = null;
    }
  };

  arm();
  const poll = setInterval(() => {
    if (watcher) return;
    arm();
    // Also the change that happened between the folder appearing and the watch starting.
    check();
  }, pollMs);
  poll.unref();

  return {
    close() {
      closed = true;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      disarm();
    },
  };
}
