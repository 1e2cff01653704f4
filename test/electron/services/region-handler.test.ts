import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { styleCatalog } from '../../../electron/common/styles.js';
import { EngineHolder } from '../../../electron/services/engine-holder.js';
import { ResultStore } from '../../../electron/services/media.js';
import { regionHandler } from '../../../electron/services/region-handler.js';
import { AllowedRoots } from '../../../electron/services/roots.js';
import { FakeEngine } from './fake-engine.js';

async function setup() {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-region-')));
  const photo = path.join(base, 'a.jpg');
  await sharp({ create: { width: 64, height: 48, channels: 3, background: '#345678' } })
    .jpeg()
    .toFile(photo);
  const engine = new FakeEngine();
  const roots = new AllowedRoots();
  roots.add(base, 'dir');
  const results = new ResultStore();
  const tickets = new Map<string, AbortController>();
  const holder = new EngineHolder(engine, { status: () => undefined, exporting: () => false, refreshDevice: async () => undefined });
  const h = regionHandler({
    holder,
    roots,
    results,
    knownStyles: () => styleCatalog(engine.styles()),
    tickets,
    naming: () => (e) => {
      throw e;
    },
  });
  return { h, engine, photo, base, results, tickets };
}

const req = { style: 'ember', exportSize: 'original', brush: 1024, strength: 1, preserveColors: false, rect: { x: 8, y: 4, width: 32, height: 24 } };

describe('preview:region', () => {
  it('paints the rectangle and hands back a media id of the PNG', async () => {
    const { h, engine, photo, results } = await setup();
    const r = await h(photo, req, 'main-region');
    expect(r).toMatchObject({ ok: true, value: { rect: req.rect, exportWidth: 64, exportHeight: 48, cached: false } });
    if (!r.ok) return;
    expect(results.get(r.value.id)?.mime).toBe('image/png');
    expect(engine.regions).toEqual([{ input: photo, rect: req.rect, brushChosen: false }]);
  });

  it('refuses bad arguments with precise messages', async () => {
    const { h, photo, base } = await setup();
    expect(await h(photo, req)).toEqual({ ok: false, error: { code: 'bad-argument', message: 'Expected 3 arguments but received 2' } });
    expect(await h(path.join(path.dirname(base), 'x.jpg'), req, 't')).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
    expect(await h(photo, { ...req, rect: { x: 0, y: 0, width: 5000, height: 10 } }, 't')).toMatchObject({
      error: { message: 'Expected integer between 1 and 4096 for rect.width but received 5000' },
    });
    expect(await h(photo, { ...req, rect: { x: -1, y: 0, width: 5, height: 10 } }, 't')).toMatchObject({ error: { message: 'Expected integer between 0 and 16384 for rect.x but received -1' } });
    expect(await h(photo, { ...req, rect: { x: 0, y: 0, width: 5, height: 10, z: 1 } }, 't')).toMatchObject({ error: { message: "Unknown key 'z' in rect: expected x, y, width and height" } });
    expect(await h(photo, { ...req, size: 512 }, 't')).toMatchObject({ error: { code: 'bad-argument', message: "Unknown key 'size' in region request" } });
    expect(await h(photo, { ...req, style: 'nope' }, 't')).toMatchObject({ error: { code: 'not-found', message: "Unknown style 'nope' for style" } });
  });

  it('a newer rectangle on the same ticket cancels the one in flight (a pan supersedes the last)', async () => {
    const { h, engine, photo, tickets } = await setup();
    engine.regionDelayMs = 50;
    const first = h(photo, req, 'main-region');
    await new Promise((r) => setTimeout(r, 5));
    const second = h(photo, { ...req, rect: { ...req.rect, x: 20 } }, 'main-region');
    expect(await first).toEqual({ ok: false, error: { code: 'cancelled', message: 'Cancelled' } });
    expect(await second).toMatchObject({ ok: true, value: { rect: { x: 20 } } });
    expect(tickets.size).toBe(0);
  });
});
