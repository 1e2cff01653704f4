import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { parseMediaRequest, resolveStatic, ResultStore, serveMedia, type MediaContext } from '../../../electron/services/media.js';
import { AllowedRoots } from '../../../electron/services/roots.js';
import { ThumbnailCache } from '../../../electron/services/thumbnails.js';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);
const enc = encodeURIComponent;

describe('parseMediaRequest (pure)', () => {
  it('parses photo, thumb, result and style refs', () => {
    expect(parseMediaRequest('photo', `/${enc('/p/a b.jpg')}`, q())).toEqual({ ok: true, value: { kind: 'photo', path: '/p/a b.jpg' } });
    expect(parseMediaRequest('thumb', `/${enc('/p/a.png')}`, q('size=128'))).toEqual({ ok: true, value: { kind: 'thumb', path: '/p/a.png', size: 128 } });
    expect(parseMediaRequest('result', '/abc-123', q())).toEqual({ ok: true, value: { kind: 'result', id: 'abc-123' } });
    expect(parseMediaRequest('style', '/starry-night', q())).toEqual({ ok: true, value: { kind: 'style', id: 'starry-night' } });
  });

  it('refuses traversal, relative paths, non-photos, bad ids, unknown kinds', () => {
    expect(parseMediaRequest('photo', `/${enc('/p/../etc/x.jpg')}`, q())).toMatchObject({ ok: false, status: 400 });
    expect(parseMediaRequest('photo', `/${enc('p/x.jpg')}`, q())).toMatchObject({ ok: false, status: 400 });
    expect(parseMediaRequest('photo', `/${enc('/etc/passwd')}`, q())).toMatchObject({ ok: false, status: 403 });
    expect(parseMediaRequest('photo', '/%E0%A4%A', q())).toMatchObject({ ok: false, status: 400 });
    expect(parseMediaRequest('thumb', `/${enc('/p/a.jpg')}`, q('size=99999'))).toMatchObject({ ok: false, status: 400 });
    expect(parseMediaRequest('result', `/${enc('../x')}`, q())).toMatchObject({ ok: false, status: 400 });
    expect(parseMediaRequest('file', '/x', q())).toMatchObject({ ok: false, status: 404 });
  });
});

describe('resolveStatic (pure)', () => {
  it('maps app paths inside the renderer folder and refuses escapes', () => {
    expect(resolveStatic('/app/dist', '/')).toBe('/app/dist/index.html');
    expect(resolveStatic('/app/dist', '/assets/index.js')).toBe('/app/dist/assets/index.js');
    expect(resolveStatic('/app/dist', '/../secret')).toBeNull();
    expect(resolveStatic('/app/dist', '/%2e%2e/secret')).toBeNull();
    expect(resolveStatic('/app/dist', '/assets/%2e%2e%2f%2e%2e%2fsecret')).toBeNull();
    expect(resolveStatic('/app/dist', '/a%00b')).toBeNull();
  });
});

describe('serveMedia', () => {
  let base: string;
  let ctx: MediaContext;
  beforeAll(async () => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-media-')));
    fs.mkdirSync(path.join(base, 'g'));
    await sharp({ create: { width: 40, height: 30, channels: 3, background: '#123456' } })
      .jpeg()
      .toFile(path.join(base, 'g', 'ok.jpg'));
    fs.writeFileSync(path.join(base, 'g', 'bad.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0, 1, 2, 3]));
    fs.writeFileSync(path.join(base, 'outside.jpg'), 'x');
    const roots = new AllowedRoots();
    roots.add(path.join(base, 'g'), 'dir');
    const results = new ResultStore(2);
    results.put('r1', Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg');
    ctx = { roots, thumbs: new ThumbnailCache(path.join(base, 'cache')), results, styleThumb: () => null };
  });

  it('serves photos and thumbnails inside roots', async () => {
    const photo = await serveMedia({ kind: 'photo', path: path.join(base, 'g', 'ok.jpg') }, ctx);
    expect(photo.status).toBe(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
    const thumb = await serveMedia({ kind: 'thumb', path: path.join(base, 'g', 'ok.jpg'), size: 128 }, ctx);
    expect(thumb.status).toBe(200);
    expect((await sharp(thumb.body).metadata()).format).toBe('jpeg');
    // Second request is served from the disk cache.
    const again = await serveMedia({ kind: 'thumb', path: path.join(base, 'g', 'ok.jpg'), size: 128 }, ctx);
    expect(again.body.equals(thumb.body)).toBe(true);
  });

  it('refuses paths outside roots with 403 and reports undecodable photos as 422', async () => {
    expect((await serveMedia({ kind: 'photo', path: path.join(base, 'outside.jpg') }, ctx)).status).toBe(403);
    expect((await serveMedia({ kind: 'thumb', path: path.join(base, 'outside.jpg'), size: 128 }, ctx)).status).toBe(403);
    const bad = await serveMedia({ kind: 'thumb', path: path.join(base, 'g', 'bad.jpg'), size: 128 }, ctx);
    expect(bad.status).toBe(422);
    expect(bad.body.toString()).toMatch(/Cannot decode photo/);
  });

  it('serves results by id and expires old ones (LRU)', async () => {
    expect((await serveMedia({ kind: 'result', id: 'r1' }, ctx)).status).toBe(200);
    ctx.results.put('r2', Buffer.from('x'), 'image/png');
    ctx.results.put('r3', Buffer.from('x'), 'image/png');
    expect((await serveMedia({ kind: 'result', id: 'r1' }, ctx)).status).toBe(404);
    expect((await serveMedia({ kind: 'style', id: 'nope' }, ctx)).status).toBe(404);
  });
});
