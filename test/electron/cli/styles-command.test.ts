// `pastiche styles`: built-in and user styles (`--styles-dir`, PASTICHE_STYLES_DIR), each with its
// source; a refused style file is a warning naming it, never hiding the others.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, PACK_MODELS, ensureBuilt, tmpDir } from '../engine/helpers.js';

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, PASTICHE_MODELS_DIR: PACK_MODELS, ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const udnie = JSON.parse(readFileSync(path.join(PACK_MODELS, 'styles', 'udnie.json'), 'utf8'));

let user: string;
beforeAll(() => {
  ensureBuilt();
  user = path.join(tmpDir(), 'styles');
  mkdirSync(user);
  writeFileSync(path.join(user, 'mine.json'), JSON.stringify({ ...udnie, id: 'mine', title: 'My painting', artist: 'Me' }));
  writeFileSync(path.join(user, 'udnie.json'), JSON.stringify({ ...udnie, title: 'Not the real one' }));
  writeFileSync(path.join(user, 'nan.json'), JSON.stringify({ ...udnie, id: 'nan' }).replace(/"vector":\[[^,]+/, '"vector":[NaN'));
});

describe('pastiche styles', () => {
  it('--json lists built-in and user styles with their source; bad files are warnings naming them', () => {
    const r = cli(['styles', '--json', '--styles-dir', user]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { id: string; source: string; title: string }[];
    expect(list).toHaveLength(17);
    expect(list.filter((s) => s.source === 'builtin')).toHaveLength(16);
    expect(list.at(-1)).toMatchObject({ id: 'mine', source: 'user', title: 'My painting', artist: 'Me', model: 'pastiche-pack16' });
    expect(list.find((s) => s.id === 'udnie')?.title).toBe('Udnie (Young American Girl, The Dance)');
    const warnings = r.stderr.trim().split('\n');
    expect(warnings).toEqual([
      `warning: Expected a finite float32 at vector[0] but received 'NaN' in ${path.join(user, 'nan.json')}`,
      `warning: Style id 'udnie' in ${path.join(user, 'udnie.json')} is already used by the built-in style in ${path.join(PACK_MODELS, 'styles', 'udnie.json')}; give this style an id of its own`,
    ]);
  });

  it('PASTICHE_STYLES_DIR is the default folder; the text list marks yours', () => {
    const r = cli(['styles'], { PASTICHE_STYLES_DIR: user });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^mine\s+My painting \(Me, 1913\)\s+\[pastiche-pack16, yours\]$/);
  });

  it('doctor names the user folder and every refused file', () => {
    const r = cli(['doctor', '--styles-dir', user]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`user styles   ${user}`);
    expect(r.stdout).toContain(`  REFUSED: Style id 'udnie' in ${path.join(user, 'udnie.json')}`);
    const j = JSON.parse(cli(['doctor', '--json', '--styles-dir', user]).stdout);
    expect(j.userStylesDir).toBe(user);
    expect(j.styleProblems.map((p: { file: string }) => path.basename(p.file))).toEqual(['nan.json', 'udnie.json']);
  });
});
