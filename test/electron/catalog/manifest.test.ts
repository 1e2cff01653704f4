import { cpSync, readFileSync, truncateSync, writeFileSync, rmSync, appendFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, styleInput } from '../../../electron/catalog/manifest.js';
import { FIXTURE_MODELS, tmpDir } from '../engine/helpers.js';

function copyFixture(): string {
  const d = tmpDir();
  cpSync(FIXTURE_MODELS, d, { recursive: true });
  return d;
}

/** Adds a second (single-style) model sharing the fixture's file so one can be broken alone. */
function withSecondModel(dir: string): void {
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const first = m.models[0];
  cpSync(path.join(dir, first.file), path.join(dir, 'second.onnx'));
  m.models.push({ ...first, id: 'second', file: 'second.onnx', kind: 'multi-style', variants: {}, styles: [{ id: 'second-style', title: 'Second', index: 0 }] });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(m));
}

describe('manifest loader', () => {
  it('loads the fixture pack', async () => {
    const m = await loadManifest(FIXTURE_MODELS);
    expect(m.errors).toEqual([]);
    expect(m.styles.map((s) => s.id)).toEqual(['fixture-ember', 'fixture-tide', 'fixture-moss']);
    expect(m.models[0]?.variantPaths.tiles).toMatch(/fixture-pack-tiles\.onnx$/);
  });

  it('reports a missing file per model and keeps the others', async () => {
    const d = copyFixture();
    withSecondModel(d);
    rmSync(path.join(d, 'second.onnx'));
    const m = await loadManifest(d);
    expect(m.styles.map((s) => s.id)).toEqual(['fixture-ember', 'fixture-tide', 'fixture-moss']);
    expect(m.errors).toEqual([{ model: 'second', message: `Model 'second': file second.onnx is missing from ${d}` }]);
  });

  it('reports truncated and corrupted files', async () => {
    const d = copyFixture();
    withSecondModel(d);
    truncateSync(path.join(d, 'second.onnx'), 1000);
    let m = await loadManifest(d);
    expect(m.errors[0]?.message).toMatch(/^Model 'second': file second.onnx is truncated \(1000 bytes, expected \d+\)/);
    const d2 = copyFixture();
    const f = path.join(d2, 'fixture-pack-tiles.onnx');
    const buf = readFileSync(f);
    buf[buf.length - 1] = (buf[buf.length - 1] as number) ^ 0xff;
    writeFileSync(f, buf);
    m = await loadManifest(d2);
    expect(m.styles).toEqual([]);
    expect(m.errors[0]?.message).toMatch(/^Model 'fixture-pack': file fixture-pack-tiles.onnx is corrupted \(sha256 /);
    appendFileSync(f, 'x');
    m = await loadManifest(d2);
    expect(m.errors[0]?.message).toMatch(/is larger than expected/);
  });

  it('validates structure with precise paths', async () => {
    const d = copyFixture();
    const m = JSON.parse(readFileSync(path.join(d, 'manifest.json'), 'utf8'));
    m.models[0].io.multipleOf = 'four';
    writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m));
    const r = await loadManifest(d);
    expect(r.errors).toEqual([{ model: 'fixture-pack', message: "Model manifest: models['fixture-pack'].io.multipleOf: expected a positive integer but received 'four'" }]);
    m.models[0].io.multipleOf = 4;
    m.models[0].variants.int4 = m.models[0].variants.tiles;
    writeFileSync(path.join(d, 'manifest.json'), JSON.stringify(m));
    expect((await loadManifest(d)).errors[0]?.message).toBe("Model manifest: models['fixture-pack'].variants: expected keys among 'tiles', 'single', 'fp16', 'fp16-tiles', 'int8' but received 'int4'");
    writeFileSync(path.join(d, 'manifest.json'), '{"schema": 2, "models": []}');
    expect((await loadManifest(d)).errors[0]?.message).toMatch(/expected schema 1 but received 2/);
    writeFileSync(path.join(d, 'manifest.json'), '{nope');
    expect((await loadManifest(d)).errors[0]?.message).toMatch(/is not valid JSON/);
    expect((await loadManifest(path.join(d, 'none'))).errors[0]?.message).toMatch(/^No model manifest at /);
  });

  it('resolves styles and blends to normalized weights', async () => {
    const m = await loadManifest(FIXTURE_MODELS);
    expect(styleInput(m, 'fixture-tide').weights).toEqual([0, 1, 0]);
    expect(styleInput(m, { 'fixture-ember': 3, 'fixture-moss': 1 }).weights).toEqual([0.75, 0, 0.25]);
    expect(() => styleInput(m, 'nope')).toThrow("Unknown style 'nope' (available: fixture-ember, fixture-tide, fixture-moss)");
  });
});
