// `pastiche styles add | rename | remove` with the real learner (the learning graphs in the engine's
// worker) on a machine without Python: no python on PATH, PASTICHE_PYTHON pointing nowhere.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, PACK_MODELS, ensureBuilt, tmpDir, writePhoto } from '../engine/helpers.js';
import { HAVE_DATA, pathWithoutPython, smallSharedDir } from '../learning/learn-helpers.js';

let dir: string;
let painting: string;
let baseEnv: NodeJS.ProcessEnv;
beforeAll(async () => {
  ensureBuilt();
  dir = tmpDir();
  painting = await writePhoto(path.join(dir, 'my painting.jpg'), 96, 64, 4);
  baseEnv = {
    ...process.env,
    PATH: pathWithoutPython(),
    PASTICHE_PYTHON: '/nonexistent/python3',
    PASTICHE_MODELS_DIR: PACK_MODELS,
    ...(HAVE_DATA ? { PASTICHE_SHARED_DIR: smallSharedDir() } : {}),
  };
});

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...baseEnv, ...env }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const stylesDir = (name: string): string => path.join(dir, name);

describe.skipIf(!HAVE_DATA)('pastiche styles add (the real learner, no Python)', () => {
  it('learns with progress and ETA, lists the style as yours, stylizes with it; rename and remove it', () => {
    const st = stylesDir('ok');
    const r = cli(['styles', 'add', painting, '--id', 'my-painting', '--title', 'My painting', '--artist', 'Me', '--steps', '3', '--styles-dir', st]);
    expect(r.stderr).toContain("Learning 'my-painting' from");
    expect(r.stderr).toMatch(/\[#+\] step 3\/3 {2}\d+s elapsed, ETA 0s {2}loss \d+\.\d{4}/);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`Added 'my-painting' (My painting) to ${path.join(st, 'my-painting.json')}`);
    expect(readdirSync(st)).toEqual(['my-painting.json']);
    const doc = JSON.parse(readFileSync(path.join(st, 'my-painting.json'), 'utf8'));
    expect(doc).toMatchObject({ format: 'pastiche-style', version: 1, id: 'my-painting', title: 'My painting', artist: 'Me', provenance: { steps: 3, crops: 3 } });
    // Learning moved the vector away from the built-in it started from.
    const start = JSON.parse(readFileSync(path.join(PACK_MODELS, 'styles', `${doc.provenance.init}.json`), 'utf8'));
    expect(doc.vector).toHaveLength(1600);
    expect(doc.vector).not.toEqual(start.vector);
    const list = JSON.parse(cli(['styles', '--json', '--styles-dir', st]).stdout) as { id: string; source: string; title: string; artist: string }[];
    expect(list.at(-1)).toMatchObject({ id: 'my-painting', source: 'user', title: 'My painting', artist: 'Me' });
    const out = path.join(dir, 'out');
    const sty = cli(['stylize', painting, '--style', 'my-painting', '--out', out, '--styles-dir', st]);
    expect(sty.code, sty.stderr).toBe(0);
    expect(readdirSync(out)).toHaveLength(1);
    expect(cli(['styles', 'rename', 'my-painting', '--title', 'Renamed', '--styles-dir', st]).stdout.trim()).toBe("Renamed 'my-painting' to Renamed");
    expect(JSON.parse(readFileSync(path.join(st, 'my-painting.json'), 'utf8')).title).toBe('Renamed');
    expect(cli(['styles', 'remove', 'my-painting', '--styles-dir', st]).stdout.trim()).toBe("Removed 'my-painting'");
    expect(readdirSync(st)).toEqual([]);
  }, 300_000);

  it('--json prints the progress records and the style', () => {
    const r = cli(['styles', 'add', painting, '--id', 'json-one', '--steps', '2', '--json', '--styles-dir', stylesDir('json')]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, -1).map((l) => l.step)).toEqual([1, 2]);
    expect(lines[0]).toEqual({ step: 1, of: 2, elapsedS: expect.any(Number), etaS: expect.any(Number), loss: expect.any(Number), content: expect.any(Number), style: expect.any(Number) });
    expect(lines.at(-1)).toMatchObject({ event: 'added', style: { id: 'json-one', source: 'user', title: 'my painting' } });
  }, 300_000);

  it('Ctrl-C stops the learner and leaves nothing in the styles folder', async () => {
    const st = stylesDir('cancel');
    const child = spawn(process.execPath, [BIN, 'styles', 'add', painting, '--id', 'stopped', '--steps', '100000', '--styles-dir', st], { env: baseEnv });
    let stderr = '';
    const started = new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), stderr.includes('step ') && resolve())));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await started;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('Cancelled: no style was written');
    expect(existsSync(st) ? readdirSync(st) : []).toEqual([]);
  }, 300_000);
});

describe('pastiche styles add: what it needs', () => {
  it('says what is missing and where it looked, before starting anything', () => {
    const st = stylesDir('nodata');
    const empty = tmpDir('pastiche-no-data-');
    const r = cli(['styles', 'add', painting, '--id', 'nope', '--styles-dir', st], { PASTICHE_SHARED_DIR: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`pastiche styles add: Learning a style needs the VGG19 loss-network weights: ${path.join(empty, 'vgg19', 'model.json')} is missing (set by PASTICHE_SHARED_DIR)`);
    expect(r.stderr).toContain(`Learning a style needs training photos: ${path.join(empty, 'content', 'open')} does not exist (set by PASTICHE_SHARED_DIR)`);
    expect(r.stderr).not.toMatch(/python|PyTorch/i);
    expect(existsSync(st)).toBe(false);
  });

  it('refuses bad arguments with messages naming them', () => {
    const st = stylesDir('args');
    mkdirSync(st, { recursive: true });
    const err = (...args: string[]) => {
      const r = cli(['styles', ...args, '--styles-dir', st]);
      expect(r.code).toBe(2);
      return r.stderr.split('\n')[0];
    };
    expect(err('add', '--id', 'x')).toBe('pastiche styles: Expected one painting file but received none');
    expect(err('add', path.join(dir, 'nope.jpg'), '--id', 'x')).toBe(`pastiche styles: Expected an image file for painting but received a missing path '${path.join(dir, 'nope.jpg')}'`);
    expect(err('add', dir, '--id', 'x')).toBe(`pastiche styles: Expected an image file for painting but received a folder '${dir}'`);
    expect(err('add', painting)).toBe("pastiche styles: --id: Expected an id of 1-64 lowercase letters, digits and '-', starting with a letter or digit for id but received nothing");
    expect(err('add', painting, '--id', 'My Style')).toBe(
      "pastiche styles: --id: Expected an id of 1-64 lowercase letters, digits and '-', starting with a letter or digit for id but received 'My Style'",
    );
    expect(err('add', painting, '--id', 'udnie')).toBe("pastiche styles: --id: Style 'udnie' is a built-in style; choose another id");
    expect(err('add', painting, '--id', 'x', '--minutes', 'ten')).toBe("pastiche styles: --minutes: Expected a number between 0.5 and 600 for minutes but received 'ten'");
    expect(err('add', painting, '--id', 'x', '--minutes', '0.1')).toBe("pastiche styles: --minutes: Expected a number between 0.5 and 600 for minutes but received '0.1'");
    expect(err('add', painting, '--id', 'x', '--steps', '2.5')).toBe("pastiche styles: --steps: Expected integer between 1 and 1000000 for steps but received '2.5'");
    expect(err('add', painting, '--id', 'x', '--steps', '0')).toBe("pastiche styles: --steps: Expected integer between 1 and 1000000 for steps but received '0'");
    expect(err('add', painting, '--id', 'x', '--title', '')).toBe("pastiche styles: --title: Expected a text of 1-200 characters for title but received ''");
    expect(err('rename', 'udnie', '--title', 'Mine now')).toBe("pastiche styles rename: Style 'udnie' is built in and cannot be renamed; only your own styles can");
    expect(err('remove', 'udnie')).toBe("pastiche styles remove: Style 'udnie' is built in and cannot be removed; only your own styles can");
    expect(err('remove', 'ghost')).toBe("pastiche styles remove: Unknown style 'ghost' (your styles: none)");
    expect(err('rename', 'ghost')).toBe('pastiche styles: --title: Expected a text of 1-200 characters for title but received nothing');
    expect(readdirSync(st)).toEqual([]);
  });
});
