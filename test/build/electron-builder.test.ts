// Packaging config sanity: every path it names exists (or is staged by npm run dist), asarUnpack
// globs match real files (native modules must be unpacked to load), the trainer ships with its
// data but without the held-out evaluation photos, and the security fuses are set.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';

const root = path.resolve(import.meta.dirname, '..', '..');

interface ExtraResource {
  from: string;
  to: string;
}
interface BuilderConfig {
  appId?: string;
  productName?: string;
  directories?: { buildResources?: string; output?: string };
  files?: string[];
  asarUnpack?: string[];
  extraResources?: ExtraResource[];
  icon?: string;
  electronFuses?: Record<string, boolean>;
  linux?: { target?: string[]; category?: string; icon?: string };
  win?: { target?: string[]; icon?: string };
  mac?: { target?: string[]; icon?: string; entitlements?: string; entitlementsInherit?: string };
}

async function loadConfig(): Promise<BuilderConfig> {
  const yaml = await import('js-yaml');
  return yaml.load(fs.readFileSync(path.join(root, 'build', 'electron-builder.yml'), 'utf8')) as BuilderConfig;
}

function walk(dir: string, max = 20_000): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0 && out.length < max) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) stack.push(full);
      else out.push(path.relative(root, full).split(path.sep).join('/'));
    }
  }
  return out;
}

describe('build/electron-builder.yml', () => {
  it('names the app and its targets', async () => {
    const c = await loadConfig();
    expect(c.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(c.productName).toBe('Pastiche');
    expect(c.linux?.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(c.linux?.category).toBe('Graphics');
    expect(c.win?.target).toContain('nsis');
    expect(c.mac?.target).toContain('dmg');
  });

  it('every icon, entitlement and resource it names exists', async () => {
    const c = await loadConfig();
    const named = [c.icon, c.linux?.icon, c.win?.icon, c.mac?.icon, c.mac?.entitlements, c.mac?.entitlementsInherit].filter((x): x is string => !!x);
    for (const p of named) expect(fs.existsSync(path.join(root, p)), p).toBe(true);
    // Icons large enough for every platform (macOS wants 1024, Linux 512).
    const png = fs.readFileSync(path.join(root, c.icon!));
    expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512);
    expect(fs.existsSync(path.join(root, 'build', 'icons', '512x512.png'))).toBe(true);
    // The trainer's data is staged by npm run dist before electron-builder runs (next test).
    const { DEFAULT_OUT } = (await import(path.join(root, 'scripts', 'stage-trainer-data.mjs'))) as { DEFAULT_OUT: string };
    const staged = DEFAULT_OUT.split(path.sep).join('/');
    for (const r of (c.extraResources ?? []).filter((x) => x.from !== staged)) expect(fs.existsSync(path.join(root, r.from)), r.from).toBe(true);
  });

  it("ships the trainer's data staged by npm run dist where the app looks for it, and no evaluation photos", async () => {
    const c = await loadConfig();
    const { DEFAULT_OUT } = (await import(path.join(root, 'scripts', 'stage-trainer-data.mjs'))) as { DEFAULT_OUT: string };
    const { TRAINER_DATA_DIR } = await import('../../electron/learning/trainer-data.js');
    const data = (c.extraResources ?? []).find((r) => r.from === DEFAULT_OUT.split(path.sep).join('/'));
    // The app's data root is resources/ (electron/main/main.ts: trainerRoot), and it reads <root>/trainer-data.
    expect(data?.to).toBe(TRAINER_DATA_DIR);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['stage:trainer-data']).toBe('node scripts/stage-trainer-data.mjs');
    const dist = pkg.scripts['dist'] ?? '';
    expect(dist.indexOf('npm run stage:trainer-data')).toBeGreaterThan(dist.indexOf('npm run build'));
    expect(dist.indexOf('npm run stage:trainer-data')).toBeLessThan(dist.indexOf('electron-builder'));
    // Held-out evaluation photos and the research-only set are never packaged, nor the shared folder itself.
    const named = JSON.stringify([c.files, c.extraResources]);
    expect(named).not.toMatch(/kodak|kodim|eval|highres|research|shared/i);
    // Not in the asar as well.
    expect((c.files ?? []).some((g) => !g.startsWith('!') && minimatch('dist/trainer-data/vgg19/model.json', g))).toBe(false);
  });

  it('ships built output only, never sources or tests', async () => {
    const c = await loadConfig();
    const files = c.files ?? [];
    expect(files).toEqual(expect.arrayContaining(['dist/renderer/**', 'package.json']));
    expect(files.some((f) => /^(electron|renderer|test|training)\//.test(f))).toBe(false);
    expect(files).toContain('!**/*.ts');
    // package.json's entry point is inside what is shipped.
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(files.some((g) => !g.startsWith('!') && minimatch(pkg.main, g))).toBe(true);
  });

  it('ships every file the models manifest names: graphs and built-in style files', async () => {
    const c = await loadConfig();
    const models = (c.extraResources ?? []).find((r) => r.to === 'models') as (ExtraResource & { filter?: string[] }) | undefined;
    expect(models?.from).toBe('models');
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'models', 'manifest.json'), 'utf8')) as {
      models: { file: string; variants?: Record<string, { file: string }>; styles: unknown; learn?: { graph: { file: string }; grams: { file: string } } }[];
    };
    const needed = ['manifest.json'];
    for (const m of manifest.models) {
      needed.push(m.file, ...Object.values(m.variants ?? {}).map((v) => v.file));
      // The learning graphs: "Add painting as a style…" runs them in the worker.
      if (m.learn) needed.push(m.learn.graph.file, m.learn.grams.file);
      const st = m.styles as { dir?: string; builtin?: string[] };
      if (st.dir) needed.push(...(st.builtin ?? []).map((id) => `${st.dir}/${id}.json`));
    }
    for (const f of needed) expect(fs.existsSync(path.join(root, 'models', f)), f).toBe(true);
    for (const f of needed)
      expect(
        models?.filter?.some((g) => minimatch(f, g)),
        f,
      ).toBe(true);
  });

  it('ships no Python: the style learner runs on the engine, its data staged as trainer-data', async () => {
    const c = await loadConfig();
    const res = c.extraResources ?? [];
    expect(res.some((r) => r.to === 'training' || /\.py$/.test(String(r.from)))).toBe(false);
    expect(res.find((r) => r.to === 'trainer-data')?.from).toBe('dist/trainer-data');
  });

  it('asarUnpack globs match the real native module files', async () => {
    const c = await loadConfig();
    expect(c.asarUnpack).toEqual(expect.arrayContaining(['node_modules/sharp/**', 'node_modules/@img/**', 'node_modules/onnxruntime-node/**']));
    for (const glob of c.asarUnpack ?? []) {
      const top = glob
        .split('/')
        .slice(0, glob.startsWith('node_modules/@') ? 2 : 2)
        .join('/');
      const files = walk(path.join(root, top));
      const matched = files.filter((f) => minimatch(f, glob, { dot: true }));
      expect(matched.length, glob).toBeGreaterThan(0);
      // Native bits are among them.
      if (glob.includes('onnxruntime-node')) expect(matched.some((f) => f.endsWith('.node'))).toBe(true);
      if (glob.includes('@img')) expect(matched.some((f) => /\.(node|so[.\d]*|dylib|dll)$/.test(f))).toBe(true);
    }
  });

  it('sets the security fuses', async () => {
    const c = await loadConfig();
    expect(c.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});
