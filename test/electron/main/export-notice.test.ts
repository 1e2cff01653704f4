import { describe, expect, it } from 'vitest';
import { exportNotice, NOTIFY_AFTER_MS } from '../../../electron/main/export-notice.js';
import type { ExportDone } from '../../../electron/common/ipc-contract.js';

const done = (statuses: ('ok' | 'failed' | 'skipped')[], cancelled = false): ExportDone => ({
  jobId: 'j',
  outDir: '/out',
  report: { cancelled, device: 'cpu', files: statuses.map((status, i) => ({ input: `/p/${i}.jpg`, output: null, status, ms: 1, device: 'cpu' })) },
});

describe('export notification', () => {
  it('only for a long batch that ends while the window is in the background', () => {
    expect(exportNotice(done(['ok']), NOTIFY_AFTER_MS + 1, true)).toBeNull();
    expect(exportNotice(done(['ok']), NOTIFY_AFTER_MS - 1, false)).toBeNull();
    expect(exportNotice(done(['ok', 'ok', 'skipped']), NOTIFY_AFTER_MS, false)).toEqual({ title: 'Export finished', body: '2 exported · 1 skipped in /out' });
    expect(exportNotice(done(['ok', 'failed']), 60_000, false)).toEqual({ title: 'Export finished with failures', body: '1 exported · 1 failed in /out' });
    expect(exportNotice(done(['ok'], true), 60_000, false)?.title).toBe('Export cancelled');
  });
});
