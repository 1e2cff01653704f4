// Where the trainer's data is found (electron/learning/trainer-data.ts) and what the check says
// when the VGG19 weights or the training photos are missing or incomplete.
import { cpSync, mkdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTrainerData, photosProblem, resolveTrainerData, vggProblem } from '../../../electron/learning/trainer-data.js';
import { ROOT, tmpDir } from '../engine/helpers.js';

const FIXTURE_DATA = path.join(ROOT, 'test/fixtures/trainer/trainer-data');

/** A trainer root one level down in a fresh folder, so its ../shared/data default does not exist. */
function bareRoot(): string {
  const root = path.join(tmpDir(), 'app');
  mkdirSync(root);
  return root;
}

describe('trainer data', () => {
  it('is the shipped trainer-data folder where it exists, else ../shared/data beside the checkout', () => {
    const root = bareRoot();
    expect(resolveTrainerData(root, {})).toEqual({
      sharedDir: path.resolve(root, '..', 'shared', 'data'),
      sharedFrom: 'checkout',
      vggDir: path.resolve(root, '..', 'shared', 'data', 'vgg19'),
      vggFrom: 'checkout',
      contentDir: path.resolve(root, '..', 'shared', 'data', 'content', 'open'),
    });
    mkdirSync(path.join(root, 'trainer-data'));
    const shipped = resolveTrainerData(root, {});
    expect(shipped).toMatchObject({ sharedDir: path.join(root, 'trainer-data'), sharedFrom: 'shipped', vggDir: path.join(root, 'trainer-data', 'vgg19') });
  });

  it('PASTICHE_SHARED_DIR and PASTICHE_VGG_DIR win over the shipped folder', () => {
    const root = bareRoot();
    mkdirSync(path.join(root, 'trainer-data'));
    expect(resolveTrainerData(root, { PASTICHE_SHARED_DIR: '/data/s' })).toMatchObject({
      sharedDir: '/data/s',
      sharedFrom: 'PASTICHE_SHARED_DIR',
      vggDir: '/data/s/vgg19',
      contentDir: '/data/s/content/open',
    });
    expect(resolveTrainerData(root, { PASTICHE_VGG_DIR: '/w/vgg' })).toMatchObject({
      sharedDir: path.join(root, 'trainer-data'),
      vggDir: '/w/vgg',
      vggFrom: 'PASTICHE_VGG_DIR',
      contentDir: path.join(root, 'trainer-data', 'content', 'open'),
    });
  });

  it('accepts a complete data folder', async () => {
    expect(await vggProblem(path.join(FIXTURE_DATA, 'vgg19'))).toBeNull();
    expect(await photosProblem(path.join(FIXTURE_DATA, 'content', 'open'))).toBeNull();
    const d = resolveTrainerData(path.dirname(FIXTURE_DATA), {});
    expect(await checkTrainerData(d, path.dirname(FIXTURE_DATA))).toEqual({ missing: [], messages: [] });
  });

  it('names what is missing, where it looked and the variable to set', async () => {
    const root = bareRoot();
    const shared = path.resolve(root, '..', 'shared', 'data');
    const r = await checkTrainerData(resolveTrainerData(root, {}), root);
    expect(r.missing).toEqual(['vgg19', 'training-photos']);
    expect(r.messages).toEqual([
      `Learning a style needs the VGG19 loss-network weights: ${path.join(shared, 'vgg19', 'model.json')} is missing (the default beside the checkout, as ${path.join(root, 'trainer-data')} does not exist). Set PASTICHE_VGG_DIR to the folder holding model.json and its shards, or PASTICHE_SHARED_DIR to one holding vgg19/ and content/open/`,
      `Learning a style needs training photos: ${path.join(shared, 'content', 'open')} does not exist (the default beside the checkout, as ${path.join(root, 'trainer-data')} does not exist). Set PASTICHE_SHARED_DIR to a folder holding content/open/ with the photos and vgg19/`,
    ]);
    // The shipped folder with only the weights: the photos are what is missing, "shipped with the app".
    cpSync(path.join(FIXTURE_DATA, 'vgg19'), path.join(root, 'trainer-data', 'vgg19'), { recursive: true });
    const shipped = await checkTrainerData(resolveTrainerData(root, {}), root);
    expect(shipped.missing).toEqual(['training-photos']);
    expect(shipped.messages[0]).toContain(`${path.join(root, 'trainer-data', 'content', 'open')} does not exist (shipped with the app)`);
    const vgg = await checkTrainerData(resolveTrainerData(root, { PASTICHE_VGG_DIR: path.join(root, 'nowhere') }), root);
    expect(vgg.messages[0]).toContain(`${path.join(root, 'nowhere', 'model.json')} is missing (set by PASTICHE_VGG_DIR)`);
  });

  it('finds shards that are missing or cut short, bad JSON, and a photo folder without photos', async () => {
    const dir = path.join(tmpDir(), 'vgg19');
    cpSync(path.join(FIXTURE_DATA, 'vgg19'), dir, { recursive: true });
    rmSync(path.join(dir, 'group3-shard1of1'));
    rmSync(path.join(dir, 'group8-shard1of1'));
    expect(await vggProblem(dir)).toBe(`${dir} lacks the shards group3-shard1of1, group8-shard1of1 named in model.json`);
    cpSync(path.join(FIXTURE_DATA, 'vgg19'), dir, { recursive: true });
    truncateSync(path.join(dir, 'group2-shard1of1'), 5);
    expect(await vggProblem(dir)).toBe(`${path.join(dir, 'group2-shard1of1')} hold 5 bytes, expected 8 for block1_conv2/kernel, block1_conv2/bias`);
    writeFileSync(path.join(dir, 'model.json'), '{"weightsManifest": [');
    expect(await vggProblem(dir)).toMatch(new RegExp(`^${path.join(dir, 'model.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON \\(.+\\)$`));
    writeFileSync(path.join(dir, 'model.json'), JSON.stringify({ weightsManifest: [{ paths: [], weights: [] }] }));
    expect(await vggProblem(dir)).toBe(`${path.join(dir, 'model.json')} lists 1 weight group, expected at least 8`);
    const photos = tmpDir();
    writeFileSync(path.join(photos, 'WIKIMEDIA-SOURCES.md'), '');
    expect(await photosProblem(photos)).toBe(`${photos} holds no .jpg, .jpeg or .png photos`);
    writeFileSync(path.join(photos, 'a.JPG'), '');
    expect(await photosProblem(photos)).toBeNull();
  });
});
