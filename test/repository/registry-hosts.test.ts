// No file in the repository names a package registry's host: installs go through the registry and
// apt sources each machine is configured with (scripts/setup-system.sh derives its backports line
// from them). Scans every tracked file and every new file git does not ignore; binaries are skipped.
// Links to a project's pages (issues, docs) are fine; only hosts that serve packages or binaries are not.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

const registryHosts: RegExp[] = [
  // Debian archive and its mirrors.
  /\b(deb|ftp|ftp\d*\.[a-z]{2}|security|snapshot|httpredir|cdn-fastly|mirrors?|archive)\.debian\.org\b/i,
  /\b(archive|security|ports)\.ubuntu\.com\b/i,
  // npm and other JavaScript registries.
  /\bregistry\.npmjs\.(org|com)\b/i,
  /\b(www\.)?npmjs\.(com|org)\b/i,
  /\bregistry\.yarnpkg\.com\b/i,
  /\bnpm\.pkg\.github\.com\b/i,
  // Python packages.
  /\bpypi\.(org|python\.org)\b/i,
  /\bfiles\.pythonhosted\.org\b/i,
  /\bdownload\.pytorch\.org\b/i,
  // NuGet (onnxruntime-node's optional CUDA download comes from there).
  /\b(api\.)?nuget\.org\b/i,
  // Binaries downloaded from GitHub releases.
  /\bgithub\.com\/[\w.-]+\/[\w.-]+\/releases\/download\b/i,
  /\b(objects|release-assets)\.githubusercontent\.com\b/i,
  /\bcodeload\.github\.com\b/i,
  // Other language registries, so none creeps in.
  /\b(static\.)?crates\.io\b/i,
  /\bproxy\.golang\.org\b/i,
  /\brepo1?\.maven(\.apache)?\.org\b/i,
  /\brubygems\.org\b/i,
];

function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  return [...new Set(out.split('\0').filter(Boolean))].filter((f) => fs.statSync(path.join(root, f), { throwIfNoEntry: false })?.isFile());
}

/** Every `file:line: match` naming a registry host. */
export function registryHostHits(files: string[], readFile: (f: string) => Buffer): string[] {
  const hits: string[] = [];
  for (const file of files) {
    const bytes = readFile(file);
    if (bytes.subarray(0, 8000).includes(0)) continue; // binary (ONNX graphs, images)
    bytes
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const re of registryHosts) {
          const m = re.exec(line);
          if (m) {
            hits.push(`${file}:${i + 1}: ${m[0]}`);
            break;
          }
        }
      });
  }
  return hits;
}

describe('registry host names', () => {
  it('catches each kind of host it is meant to catch, and not project links', () => {
    const text = [
      'deb http://' + 'deb.debian' + '.org/debian bookworm main',
      'URIs: http://ftp.de.' + 'debian.org/debian',
      'https://registry.npm' + 'js.org/sharp',
      'see www.npm' + 'js.com/package/sharp',
      'pip index https://py' + 'pi.org/simple',
      'https://files.' + 'pythonhosted.org/packages/x.whl',
      'https://api.nu' + 'get.org/v3/index.json',
      'https://github.com/microsoft/onnxruntime/releases/down' + 'load/v1/x.tgz',
      'https://objects.' + 'githubusercontent.com/x',
      'fine: https://github.com/microsoft/onnxruntime/issues/1 and NuGet, npm, PyPI as words, https://www.debian.org/',
    ].join('\n');
    const hits = registryHostHits(['sample.txt'], () => Buffer.from(text));
    expect(hits.map((h) => h.split(':')[1])).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  it('no tracked or new file names one', () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain('scripts/setup-system.sh');
    const hits = registryHostHits(files, (f) => fs.readFileSync(path.join(root, f)));
    expect(hits, `registry host names in the repository:\n${hits.join('\n')}`).toEqual([]);
  });
});
