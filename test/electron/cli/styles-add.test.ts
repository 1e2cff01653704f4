// `pastiche styles add | rename | remove` against a stand-in trainer (test/fixtures/trainer: the
// real one's command line, JSON lines and signal handling, without PyTorch).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, PACK_MODELS, ROOT, ensureBuilt, tmpDir, writePhoto } from '../engine/helpers.js';

const FAKE_ROOT = path.join(ROOT, 'test/fixtures/trainer');
const baseEnv = { ...process.env, PASTICHE_MODELS_DIR: PACK_MODELS, PASTICHE_TRAINER_ROOT: FAKE_ROOT };

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...baseEnv, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir: string;
let painting: string;
beforeAll(async () => {
  ensureBuilt();
  dir = tmpDir();
  painting = await writePhoto(path.join(dir, 'my painting.jpg'), 96, 64, 4);
});

const stylesDir = (name: string): string => path.join(dir, name);

describe('pastiche styles add', () => {
  it('runs the trainer with progress and ETA, then lists the style as yours; rename and remove it', () => {
    const st = stylesDir('ok');
    const r = cli(['styles', 'add', painting, '--id', 'my-painting', '--title', 'My painting', '--artist', 'Me', '--minutes', '1', '--styles-dir', st]);
    expect(r.stderr).toContain("Learning 'my-painting' from");
    expect(r.stderr).toMatch(/\[#+\] step 5\/5 {2}\d+s elapsed, ETA 0s {2}loss 0\.4/);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`Added 'my-painting' (My painting) to ${path.join(st, 'my-painting.json')}`);
    expect(readdirSync(st)).toEqual(['my-painting.json']);
    const list = JSON.parse(cli(['styles', '--json', '--styles-dir', st]).stdout) as { id: string; source: string; title: string; artist: string }[];
    expect(list.at(-1)).toMatchObject({ id: 'my-painting', source: 'user', title: 'My painting', artist: 'Me' });
    expect(cli(['styles', 'rename', 'my-painting', '--title', 'Renamed', '--styles-dir', st]).stdout.trim()).toBe("Renamed 'my-painting' to Renamed");
    const doc = JSON.parse(readFileSync(path.join(st, 'my-painting.json'), 'utf8'));
    expect(doc.title).toBe('Renamed');
    expect(doc.vector).toEqual(JSON.parse(readFileSync(path.join(PACK_MODELS, 'styles', 'udnie.json'), 'utf8')).vector);
    expect(cli(['styles', 'remove', 'my-painting', '--styles-dir', st]).stdout.trim()).toBe("Removed 'my-painting'");
    expect(readdirSync(st)).toEqual([]);
  });

  it('--json prints the progress records and the style', () => {
    const r = cli(['styles', 'add', painting, '--id', 'json-one', '--json', '--styles-dir', stylesDir('json')]);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, -1).map((l) => l.step)).toEqual([1, 2, 3, 4, 5]);
    expect(lines[0]).toEqual({ step: 1, of: 5, elapsedS: expect.any(Number), etaS: expect.any(Number), loss: 2 });
    expect(lines.at(-1)).toMatchObject({ event: 'added', style: { id: 'json-one', source: 'user', title: 'my painting' } });
  });

  it('Ctrl-C stops the trainer and leaves nothing in the styles folder', async () => {
    const st = stylesDir('cancel');
    const child = spawn(process.execPath, [BIN, 'styles', 'add', painting, '--id', 'stopped', '--styles-dir', st], {
      env: { ...baseEnv, FAKE_TRAINER_STEPS: '400', FAKE_TRAINER_STEP_S: '0.05' },
    });
    let stderr = '';
    const started = new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), stderr.includes('step ') && resolve())));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await started;
    // A partial file of the trainer is there while it runs (hidden from the style list).
    const work = readdirSync(st).filter((n) => n.startsWith('.adding-stopped-'));
    expect(work).toHaveLength(1);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('Cancelled: no style was written');
    expect(readdirSync(st)).toEqual([]);
  });

  it('a failing trainer is reported with its own message and leaves nothing', () => {
    const st = stylesDir('fail');
    const r = cli(['styles', 'add', painting, '--id', 'broken', '--styles-dir', st], { FAKE_TRAINER_FAIL: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pastiche styles add: The style trainer failed: RuntimeError: the fake trainer was asked to fail');
    expect(readdirSync(st)).toEqual([]);
  });

  it('says exactly what to install where Python has no PyTorch, before starting anything', () => {
    const py = path.join(dir, 'python-without-site');
    // -S: no site-packages, so none of the trainer's modules import.
    writeFileSync(py, '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n');
    chmodSync(py, 0o755);
    const st = stylesDir('nopy');
    const r = cli(['styles', 'add', painting, '--id', 'nope', '--styles-dir', st], { PASTICHE_PYTHON: py });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `pastiche styles add: Learning a style needs PyTorch, numpy, Pillow and onnx for ${py}; missing: torch, numpy, PIL, onnx. Debian/Ubuntu: apt-get install python3-torch python3-numpy python3-pil python3-onnx; elsewhere: pip install torch numpy pillow onnx`,
    );
    expect(existsSync(st)).toBe(false);
    const none = cli(['styles', 'add', painting, '--id', 'nope', '--styles-dir', st], { PASTICHE_PYTHON: path.join(dir, 'no-such-python') });
    expect(none.stderr).toContain(`Learning a style needs Python 3 with PyTorch: ${path.join(dir, 'no-such-python')} not found.`);
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
    expect(err('add', painting, '--id', 'x', '--title', '')).toBe("pastiche styles: --title: Expected a text of 1-200 characters for title but received ''");
    expect(err('rename', 'udnie', '--title', 'Mine now')).toBe("pastiche styles rename: Style 'udnie' is built in and cannot be renamed; only your own styles can");
    expect(err('remove', 'udnie')).toBe("pastiche styles remove: Style 'udnie' is built in and cannot be removed; only your own styles can");
    expect(err('remove', 'ghost')).toBe("pastiche styles remove: Unknown style 'ghost' (your styles: none)");
    expect(err('rename', 'ghost')).toBe('pastiche styles: --title: Expected a text of 1-200 characters for title but received nothing');
    expect(readdirSync(st)).toEqual([]);
  });
});
