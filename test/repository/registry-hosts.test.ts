// No file in the repository names a package registry's host: installs go through the registry and
// apt sources each machine is configured with (scripts/setup-system.sh derives its backports line
// from them). The hosts are read from this machine's own configuration (npm's registry, apt's
// sources), so the test names none itself. Scans every tracked file and every new file git does
// not ignore; binaries are skipped.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}

/** Registry hosts this machine is configured with: npm's registry and every apt source. */
export function configuredRegistryHosts(): string[] {
  const hosts = new Set<string>();
  try {
    const npm = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
    const h = hostOf(npm);
    if (h) hosts.add(h);
  } catch {
    // no npm configuration readable: apt's sources still count
  }
  const aptFiles: string[] = [];
  const dir = '/etc/apt/sources.list.d';
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (/\.(sources|list)$/.test(f)) aptFiles.push(path.join(dir, f));
  if (fs.existsSync('/etc/apt/sources.list')) aptFiles.push('/etc/apt/sources.list');
  for (const f of aptFiles) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      const urls = line.startsWith('URIs:') ? line.slice(5).trim().split(/\s+/) : /^deb(-src)?\s/.test(line) ? (line.match(/\w+:\/\/\S+/g) ?? []) : [];
      for (const u of urls) {
        const h = hostOf(u);
        if (h) hosts.add(h);
      }
    }
  }
  return [...hosts];
}

function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  return [...new Set(out.split('\0').filter(Boolean))].filter((f) => fs.statSync(path.join(root, f), { throwIfNoEntry: false })?.isFile());
}

/** Every `file:line: host` naming one of the hosts. */
export function registryHostHits(files: string[], readFile: (f: string) => Buffer, hosts: string[]): string[] {
  const hits: string[] = [];
  const lowered = hosts.map((h) => h.toLowerCase());
  for (const file of files) {
    const bytes = readFile(file);
    if (bytes.subarray(0, 8000).includes(0)) continue; // binary (ONNX graphs, images)
    bytes
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        const l = line.toLowerCase();
        const host = lowered.find((h) => l.includes(h));
        if (host) hits.push(`${file}:${i + 1}: ${host}`);
      });
  }
  return hits;
}

describe('registry host names', () => {
  const hosts = configuredRegistryHosts();

  it('finds the configured hosts and catches a line naming one', () => {
    if (hosts.length === 0) {
      console.log('registry-hosts: this machine has no npm registry or apt source configured; nothing to check');
      return;
    }
    const text = hosts.map((h) => `deb http://${h}/debian bookworm main`).join('\n') + '\nfine: a line that names no host';
    const hits = registryHostHits(['sample.txt'], () => Buffer.from(text), hosts);
    expect(hits.length).toBe(hosts.length);
  });

  it('no tracked or new file names one', () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain('scripts/setup-system.sh');
    const hits = registryHostHits(files, (f) => fs.readFileSync(path.join(root, f)), hosts);
    expect(hits, `registry host names in the repository:\n${hits.join('\n')}`).toEqual([]);
  });
});
