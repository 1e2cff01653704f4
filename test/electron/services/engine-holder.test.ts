// The engine in use and its device switch (electron/services/engine-holder.ts), without handlers.
import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../../electron/common/ipc-contract.js';
import type { DeviceChoice } from '../../../electron/common/types.js';
import { EngineHolder } from '../../../electron/services/engine-holder.js';
import { FakeEngine } from './fake-engine.js';

const opts = {
  style: 'ember',
  size: 64,
  exportSize: 'original',
  brush: 1024,
  brushChosen: false,
  strength: 1,
  preserveColors: false,
  format: 'jpg',
  quality: 85,
  keepMetadata: false,
  stripGps: true,
} as const;

function holder(create: (device: DeviceChoice) => Promise<FakeEngine>, exporting = () => false) {
  const statuses: Partial<EngineStatus>[] = [];
  const first = new FakeEngine();
  const h = new EngineHolder(first, { createEngine: create, status: (p) => statuses.push(p), exporting, refreshDevice: async () => undefined });
  return { h, first, statuses };
}

describe('EngineHolder', () => {
  it('closes the old engine only after its tracked previews settle; new previews go to the new engine', async () => {
    const next = new FakeEngine('cpu');
    const { h, first } = holder(async () => next);
    first.previewDelayMs = 60;
    const inFlight = h.preview('/p/a.jpg', opts);
    await new Promise((r) => setTimeout(r, 10));
    h.switchTo('cpu');
    const after = h.preview('/p/b.jpg', opts);
    await h.settled();
    expect(first.closed).toBe(true);
    await expect(inFlight).resolves.toMatchObject({ mime: 'image/jpeg' });
    await after;
    expect([first.previews.map((p) => p.input), next.previews.map((p) => p.input)]).toEqual([['/p/a.jpg'], ['/p/b.jpg']]);
    expect(h.current).toBe(next);
  });

  it('keeps the engine and reports the reason when the new one cannot be made', async () => {
    const { h, first, statuses } = holder(async () => {
      throw new Error('no such provider');
    });
    h.switchTo('gpu');
    await h.settled();
    expect(h.current).toBe(first);
    expect(first.closed).toBe(false);
    expect(statuses.at(-1)).toEqual({ state: 'error', message: 'Could not switch to GPU: no such provider' });
  });

  it('waits for the export: the switch applies on exportFinished()', async () => {
    let exporting = true;
    const made: DeviceChoice[] = [];
    const { h, statuses } = holder(
      async (d) => {
        made.push(d);
        return new FakeEngine(d);
      },
      () => exporting,
    );
    h.switchTo('cpu');
    await h.settled();
    expect(made).toEqual([]);
    expect(statuses).toEqual([{ message: 'The new device applies when the export finishes' }]);
    exporting = false;
    h.exportFinished();
    await h.settled();
    expect(made).toEqual(['cpu']);
  });
});
