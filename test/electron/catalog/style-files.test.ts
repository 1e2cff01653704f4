// The style-vector contract (docs/styles.md): style files of the built-in pack and of the user's
// folder, their validation (each bad file named, never hiding the others) and blends of vectors.
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest, styleInput } from '../../../electron/catalog/manifest.js';
import { blendVectors, formatFloat32, parseStyleFile, styleFileText, type PackRef } from '../../../electron/catalog/style-files.js';
import { PACK_MODELS, tmpDir } from '../engine/helpers.js';

const manifest = JSON.parse(readFileSync(path.join(PACK_MODELS, 'manifest.json'), 'utf8'));
const entry = manifest.models[0];
const PACK: PackRef = { id: entry.id, fingerprint: entry.pack.fingerprint, vectorSize: entry.io.styleVectorSize };
const udnieFile = path.join(PACK_MODELS, 'styles', 'udnie.json');
const udnie = (): Record<string, unknown> => JSON.parse(readFileSync(udnieFile, 'utf8'));

/** A models folder sharing the shipped graphs (links) with its own manifest and style files. */
function packCopy(): string {
  const d = tmpDir();
  for (const f of readdirSync(PACK_MODELS)) if (f.endsWith('.onnx')) symlinkSync(path.join(PACK_MODELS, f), path.join(d, f));
  cpSync(path.join(PACK_MODELS, 'manifest.json'), path.join(d, 'manifest.json'));
  cpSync(path.join(PACK_MODELS, 'styles'), path.join(d, 'styles'), { recursive: true });
  return d;
}

function userStyle(dir: string, name: string, doc: Record<string, unknown> | string): string {
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, name);
  writeFileSync(f, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return f;
}

describe('style files', () => {
  it('the built-in pack lists its 16 style files in manifest order, all valid', async () => {
    const m = await loadManifest(PACK_MODELS, { verify: 'size' });
    expect(m.errors).toEqual([]);
    expect(m.styleProblems).toEqual([]);
    expect(m.styles.map((s) => s.id)).toEqual(entry.styles.builtin);
    expect(m.styles.every((s) => s.source === 'builtin' && s.model === 'pastiche-pack16')).toBe(true);
    expect(m.styles[5]).toMatchObject({ id: 'udnie', title: 'Udnie (Young American Girl, The Dance)', artist: 'Francis Picabia', year: '1913' });
  });

  it('a style alone is its file vector bit for bit; a blend is the float64 sum rounded once to float32', async () => {
    const m = await loadManifest(PACK_MODELS, { verify: 'size' });
    const u = Float32Array.from(udnie()['vector'] as number[]);
    expect(styleInput(m, 'udnie').vector).toEqual(Array.from(u));
    expect(styleInput(m, 'udnie').weights).toBeNull();
    const g = Float32Array.from(JSON.parse(readFileSync(path.join(PACK_MODELS, 'styles', 'great-wave.json'), 'utf8')).vector);
    const mixed = styleInput(m, { udnie: 3, 'great-wave': 1 }).vector as number[];
    expect(mixed).toHaveLength(1600);
    for (let i = 0; i < 1600; i++) expect(mixed[i]).toBe(Math.fround(0.75 * (u[i] as number) + 0.25 * (g[i] as number)));
    expect(Array.from(blendVectors([{ vector: u, weight: 2 }]))).toEqual(Array.from(u));
  });

  it('writes the trainer’s layout: every built-in file reads back and prints to the same text', () => {
    for (const f of readdirSync(path.join(PACK_MODELS, 'styles'))) {
      const text = readFileSync(path.join(PACK_MODELS, 'styles', f), 'utf8');
      const s = parseStyleFile(text, f, 'builtin', [PACK]);
      expect(styleFileText(s.doc, s.vector)).toBe(text);
    }
    for (const x of [1.0488021, -0.0, 3.918516e-5, 1e-5, 0.1, 3.4028234663852886e38, 1.401298464324817e-45]) {
      const s = formatFloat32(x);
      expect(Math.fround(Number(s))).toBe(Math.fround(x));
    }
    expect(formatFloat32(-0)).toBe('-0.0');
    expect(formatFloat32(Math.fround(3.918516e-5))).toBe('3.918516e-05');
  });

  it('refuses each kind of bad file with a message naming it', () => {
    const f = '/u/bad.json';
    const doc = udnie();
    const vec = doc['vector'] as number[];
    const bad = (d: unknown): string => {
      try {
        parseStyleFile(typeof d === 'string' ? d : JSON.stringify(d), f, 'user', [PACK]);
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(bad('{"format": "pastiche-style",')).toMatch(/^Expected JSON but received invalid text \(.+\) in \/u\/bad\.json$/);
    expect(bad({ ...doc, vector: vec.slice(0, 1599) })).toBe('Expected 1600 numbers for vector but received 1599 in /u/bad.json');
    expect(bad(JSON.stringify(doc).replace(/"vector": ?\[([^,]+),/, '"vector": [NaN,'))).toBe("Expected a finite float32 at vector[0] but received 'NaN' in /u/bad.json");
    expect(bad({ ...doc, vector: [...vec.slice(0, 7), 1e39, ...vec.slice(8)] })).toBe('Expected a finite float32 at vector[7] but received 1e+39 in /u/bad.json');
    expect(bad({ ...doc, vector: [...vec.slice(0, 3), '0.5', ...vec.slice(4)] })).toBe("Expected a finite float32 at vector[3] but received '0.5' in /u/bad.json");
    expect(bad({ ...doc, pack: { ...PACK, fingerprint: 'ab'.repeat(32) } })).toBe(
      'Expected a style for pack pastiche-pack16 (fingerprint 13984fcdb028) but received one for pack pastiche-pack16 (fingerprint abababababab) in /u/bad.json',
    );
    expect(bad({ ...doc, pack: { id: 'other-pack', fingerprint: PACK.fingerprint } })).toMatch(/but received one for pack other-pack/);
    expect(bad({ ...doc, id: 'Bad Id' })).toBe("Expected an id of 1-64 lowercase letters, digits and '-' but received 'Bad Id' in /u/bad.json");
    expect(bad({ ...doc, version: 2 })).toBe("Expected format 'pastiche-style' version 1 but received 'pastiche-style' version 2 in /u/bad.json");
    expect(bad([1, 2])).toBe('Expected a JSON object but received [1,2] in /u/bad.json');
  });

  it('user styles join the pack and blend with built-in ones; bad and duplicate files are reported, never hiding the others', async () => {
    const models = packCopy();
    const user = path.join(tmpDir(), 'styles');
    const doc = udnie();
    const mine = (doc['vector'] as number[]).map((v, i) => (i < 800 ? v * 0.5 : v));
    userStyle(user, 'my-udnie.json', { ...doc, id: 'my-udnie', title: 'Mine', vector: mine });
    const dup = userStyle(user, 'udnie.json', { ...doc, title: 'Impostor' });
    const broken = userStyle(user, 'broken.json', '{"format":');
    const short = userStyle(user, 'short.json', { ...doc, id: 'short', vector: mine.slice(0, 10) });
    writeFileSync(path.join(user, 'notes.txt'), 'not a style');
    writeFileSync(path.join(models, 'styles', 'te-fare.json'), '[]');
    const m = await loadManifest(models, { verify: 'size', userStylesDir: user });
    expect(m.errors).toEqual([]);
    expect(m.styles).toHaveLength(16);
    expect(m.styles.at(-1)).toMatchObject({ id: 'my-udnie', title: 'Mine', source: 'user', model: 'pastiche-pack16' });
    expect(m.styles.find((s) => s.id === 'udnie')?.title).toBe('Udnie (Young American Girl, The Dance)');
    // Thumbnail cache keys: another vector, another key.
    const sha = (id: string): string | undefined => m.styles.find((s) => s.id === id)?.vectorSha;
    expect(sha('udnie')).toMatch(/^[0-9a-f]{12}$/);
    expect(sha('my-udnie')).not.toBe(sha('udnie'));
    const problems = new Map(m.styleProblems.map((p) => [p.file, p.message]));
    expect([...problems.keys()].sort()).toEqual([path.join(models, 'styles', 'te-fare.json'), broken, short, dup].sort());
    expect(problems.get(dup)).toBe(`Style id 'udnie' in ${dup} is already used by the built-in style in ${path.join(models, 'styles', 'udnie.json')}; give this style an id of its own`);
    expect(problems.get(short)).toBe(`Expected 1600 numbers for vector but received 10 in ${short}`);
    const blend = styleInput(m, { 'my-udnie': 1, udnie: 1 }).vector as number[];
    const u = doc['vector'] as number[];
    expect(blend[0]).toBe(Math.fround(0.5 * Math.fround(u[0] as number) * 0.5 + 0.5 * Math.fround(u[0] as number)));
    expect(blend[900]).toBe(Math.fround(u[900] as number));
  });

  it('a built-in style without its file is reported by name', async () => {
    const models = packCopy();
    const f = path.join(models, 'styles', 'udnie.json');
    cpSync(f, path.join(tmpDir(), 'keep.json'));
    writeFileSync(path.join(models, 'manifest.json'), JSON.stringify({ ...manifest, models: [{ ...entry, styles: { dir: 'styles', builtin: [...entry.styles.builtin, 'missing-one'] } }] }));
    const m = await loadManifest(models, { verify: 'size' });
    expect(m.styleProblems).toEqual([
      { file: path.join(models, 'styles', 'missing-one.json'), message: `Built-in style 'missing-one' of model 'pastiche-pack16' has no style file in ${path.join(models, 'styles')}` },
    ]);
    expect(m.styles).toHaveLength(16);
  });
});
