// The desktop notification for a finished export: only worth showing when the window is in the
// background and the batch was long enough that the user went elsewhere. Pure, so it is tested
// without Electron; main.ts shows it with Electron's Notification.
import type { ExportDone } from '../common/ipc-contract.js';

/** Batches shorter than this end while the user is still watching: no notification. */
export const NOTIFY_AFTER_MS = 20_000;

export function exportNotice(done: ExportDone, elapsedMs: number, focused: boolean): { title: string; body: string } | null {
  if (focused || elapsedMs < NOTIFY_AFTER_MS) return null;
  const n = (s: string): number => done.report.files.filter((f) => f.status === s).length;
  const parts = [`${n('ok')} exported`];
  if (n('skipped')) parts.push(`${n('skipped')} skipped`);
  if (n('failed')) parts.push(`${n('failed')} failed`);
  const title = done.report.cancelled ? 'Export cancelled' : n('failed') ? 'Export finished with failures' : 'Export finished';
  return { title, body: `${parts.join(' · ')} in ${done.outDir}` };
}
