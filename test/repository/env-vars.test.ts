// Every PASTICHE_* environment variable the repository reads or sets is in the README's table.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

describe('environment variables', () => {
  it('the README documents each PASTICHE_* variable in one table', () => {
    const out = execFileSync('git', ['grep', '-I', '-o', '-h', '-E', 'PASTICHE_[A-Z0-9_]+', '--', '.', ':!README.md'], { cwd: root, encoding: 'utf8' });
    // Untracked new files are not in git grep's view; a variable there shows up once committed.
    const used = [...new Set(out.split('\n').filter(Boolean))].sort();
    expect(used.length).toBeGreaterThan(10);
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `(PASTICHE_[A-Z0-9_]+)` \| [^|]+ \| [^|]+ \|$/gm)].map((m) => m[1]));
    expect(
      used.filter((v) => !documented.has(v)),
      'PASTICHE_* variables missing from the README table',
    ).toEqual([]);
  });
});
