import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AllowedRoots, isInside, pathProblem } from '../../../electron/services/roots.js';

describe('isInside (pure)', () => {
  it.each([
    ['/a/b', '/a/b', true],
    ['/a/b', '/a/b/c.jpg', true],
    ['/a/b', '/a/bc/d.jpg', false],
    ['/a/b', '/a', false],
    ['/a/b', '/x/y', false],
    ['/a/b', '/a/b/../c', false],
  ])('%s contains %s: %s', (root, target, want) => {
    expect(isInside(root, path.normalize(target))).toBe(want);
  });
});

describe('pathProblem', () => {
  it('refuses non-strings, relative paths, .. segments and NUL', () => {
    expect(pathProblem(5, 'photo')).toBe('Expected string for photo but received 5');
    expect(pathProblem(null, 'photo')).toBe('Expected string for photo but received null');
    expect(pathProblem('', 'photo')).toBe('Expected non-empty string for photo');
    expect(pathProblem('photos/a.jpg', 'photo')).toBe("Expected absolute path for photo but received 'photos/a.jpg'");
    expect(pathProblem('/photos/../etc/passwd', 'photo')).toBe("Expected photo without '..' segments but received '/photos/../etc/passwd'");
    expect(pathProblem('/photos/a\0.jpg', 'photo')).toBe('Expected photo without NUL characters');
    expect(pathProblem('/photos/a..b.jpg', 'photo')).toBeNull();
  });
});

describe('AllowedRoots', () => {
  let base: string;
  let inside: string;
  let outside: string;
  beforeAll(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-roots-')));
    inside = path.join(base, 'gallery');
    outside = path.join(base, 'secret');
    fs.mkdirSync(path.join(inside, 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(inside, 'sub', 'a.jpg'), 'x');
    fs.writeFileSync(path.join(outside, 'b.jpg'), 'x');
    fs.symlinkSync(path.join(outside, 'b.jpg'), path.join(inside, 'link.jpg'));
    fs.symlinkSync(outside, path.join(inside, 'linkdir'));
  });

  it('allows files under an opened folder and nothing else', () => {
    const roots = new AllowedRoots();
    roots.add(inside, 'dir');
    expect(roots.resolve(path.join(inside, 'sub', 'a.jpg'))).toBe(path.join(inside, 'sub', 'a.jpg'));
    expect(roots.resolve(path.join(outside, 'b.jpg'))).toBeNull();
    expect(roots.resolve(path.join(inside, 'sub', '..', '..', 'secret', 'b.jpg'))).toBeNull();
    expect(roots.resolve(path.join(inside, 'missing.jpg'))).toBeNull();
  });

  it('refuses symlinks that escape the root', () => {
    const roots = new AllowedRoots();
    roots.add(inside, 'dir');
    expect(roots.resolve(path.join(inside, 'link.jpg'))).toBeNull();
    expect(roots.resolve(path.join(inside, 'linkdir', 'b.jpg'))).toBeNull();
  });

  it('a file root allows exactly that file', () => {
    const roots = new AllowedRoots();
    roots.add(path.join(inside, 'sub', 'a.jpg'), 'file');
    expect(roots.resolve(path.join(inside, 'sub', 'a.jpg'))).not.toBeNull();
    expect(roots.resolve(path.join(inside, 'sub'))).toBeNull();
    expect(roots.containsDir(path.join(inside, 'sub'))).toBe(false);
  });

  it('containsDir only for folders under dir roots', () => {
    const roots = new AllowedRoots();
    roots.add(inside, 'dir');
    expect(roots.containsDir(path.join(inside, 'sub'))).toBe(true);
    expect(roots.containsDir(outside)).toBe(false);
    expect(roots.containsDir(path.join(inside, 'linkdir'))).toBe(false);
  });
});
