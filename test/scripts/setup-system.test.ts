// scripts/setup-system.sh against a fake machine: stub dpkg-query, apt-get, id and sudo on a PATH
// that holds nothing else, a fake python3, and /etc files under PASTICHE_SETUP_ROOT. Each case
// checks the branch taken (the stubs log their argv) and what the script printed.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const script = path.resolve(import.meta.dirname, '..', '..', 'scripts', 'setup-system.sh');
const allModules = ['torch', 'pytest', 'PIL', 'onnx'];
const deb822 = [
  'Types: deb',
  'URIs: http://mirror.example/debian',
  'Suites: bookworm bookworm-updates',
  'Components: main',
  'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
  '',
  'Types: deb',
  'URIs: http://mirror.example/debian-security',
  'Suites: bookworm-security',
  'Components: main',
  '',
].join('\n');

interface Machine {
  /** Python modules importable by the fake python3. */
  modules?: string[];
  /** Chromium and exiftool are installed. */
  chromium?: boolean;
  /** Installed mesa-vulkan-drivers version; undefined: never installed. */
  mesa?: string;
  uid?: number;
  sudo?: boolean;
  codename?: string;
  sources?: { deb822?: string; list?: string };
  softwareGpu?: boolean;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function stub(dir: string, name: string, body: string): void {
  fs.writeFileSync(path.join(dir, name), `#!/bin/bash\necho "${name} $*" >> "$STUB_LOG"\n${body}\n`, { mode: 0o755 });
}

function run(m: Machine) {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-system-'));
  dirs.push(base);
  const bin = path.join(base, 'bin');
  const root = path.join(base, 'root');
  const log = path.join(base, 'stub.log');
  fs.mkdirSync(bin);
  fs.mkdirSync(path.join(root, 'etc', 'apt', 'sources.list.d'), { recursive: true });
  fs.writeFileSync(log, '');
  // Only the real tools the script needs; everything that touches the system is a stub.
  for (const tool of ['bash', 'awk', 'sed', 'grep', 'tr', 'env', 'tee', 'cat']) {
    const real = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
    if (!real) throw new Error(`no ${tool} on this machine`);
    fs.symlinkSync(real, path.join(bin, tool));
  }
  stub(bin, 'id', `[ "$1" = -u ] && echo ${m.uid ?? 0}`);
  stub(bin, 'apt-get', 'exit 0');
  stub(bin, 'dpkg-query', m.mesa === undefined ? 'echo "dpkg-query: no packages found matching mesa-vulkan-drivers" >&2; exit 1' : `echo "installed ${m.mesa}"`);
  if (m.sudo !== false) stub(bin, 'sudo', 'exec "$@"');
  const python = path.join(base, 'python3');
  const modules = (m.modules ?? []).join(' ');
  fs.writeFileSync(python, `#!/bin/bash\nfor mod in ${modules}; do [ "$2" = "import $mod" ] && exit 0; done\nexit 1\n`, { mode: 0o755 });
  if (m.chromium) {
    fs.mkdirSync(path.join(root, 'usr', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr', 'bin', 'chromium'), '', { mode: 0o755 });
    fs.writeFileSync(path.join(root, 'usr', 'bin', 'exiftool'), '', { mode: 0o755 });
  }
  fs.writeFileSync(path.join(root, 'etc', 'os-release'), `NAME="Debian GNU/Linux"\nVERSION_CODENAME=${m.codename ?? 'bookworm'}\n`);
  const sources = m.sources ?? { deb822 };
  if (sources.deb822 !== undefined) fs.writeFileSync(path.join(root, 'etc', 'apt', 'sources.list.d', 'debian.sources'), sources.deb822);
  if (sources.list !== undefined) fs.writeFileSync(path.join(root, 'etc', 'apt', 'sources.list'), sources.list);

  const env: Record<string, string> = {
    PATH: bin,
    STUB_LOG: log,
    PASTICHE_SETUP_ROOT: root,
    PASTICHE_SETUP_PYTHON: python,
  };
  if (m.softwareGpu !== false) env.PASTICHE_SOFTWARE_GPU = '1';
  const r = spawnSync(path.join(bin, 'bash'), [script], { env, encoding: 'utf8' });
  const backports = path.join(root, 'etc', 'apt', 'sources.list.d', 'pastiche-backports.list');
  return {
    code: r.status,
    out: r.stdout + r.stderr,
    calls: fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean),
    backports: fs.existsSync(backports) ? fs.readFileSync(backports, 'utf8') : null,
  };
}

const installs = (calls: string[]) => calls.filter((c) => c.startsWith('apt-get install'));

describe('setup-system.sh', () => {
  it('nothing installed: installs the test packages, then Mesa from backports of the configured mirror', () => {
    const r = run({});
    expect(r.code, r.out).toBe(0);
    expect(installs(r.calls)).toEqual([
      'apt-get install -y -qq --no-install-recommends chromium libimage-exiftool-perl python3-torch python3-numpy python3-pytest python3-pil python3-onnx',
      'apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers',
    ]);
    expect(r.calls.filter((c) => c === 'apt-get update -qq')).toHaveLength(2);
    expect(r.backports).toBe('deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm-backports main\n');
    expect(r.out).toContain('setup-system: installing chromium libimage-exiftool-perl python3-torch python3-numpy python3-pytest python3-pil python3-onnx\n');
    expect(r.out).toContain('setup-system: Mesa Vulkan driver not installed: installing\n');
    expect(r.out).toContain('setup-system: added apt source: deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm-backports main\n');
    expect(r.out).toContain('setup-system: installed mesa-vulkan-drivers from bookworm-backports\n');
    expect(r.out.trim().split('\n').at(-1)).toBe('setup-system: system packages ready');
    expect(r.calls.some((c) => c.startsWith('sudo'))).toBe(false);
  });

  it('everything installed: installs nothing and says so', () => {
    const r = run({ modules: allModules, chromium: true, mesa: '25.0.7-2~bpo12+1' });
    expect(r.code, r.out).toBe(0);
    expect(r.calls.filter((c) => c.startsWith('apt-get'))).toEqual([]);
    expect(r.backports).toBeNull();
    expect(r.out).toContain('setup-system: chromium, exiftool, PyTorch, pytest, PIL and onnx already installed\n');
    expect(r.out).toContain('setup-system: Mesa Vulkan driver 25.0.7-2~bpo12+1 already installed\n');
    expect(r.out).toContain('setup-system: system packages ready\n');
  });

  it('Mesa absent and not requested: does not ask dpkg and says why', () => {
    const r = run({ modules: allModules, chromium: true, softwareGpu: false });
    expect(r.code, r.out).toBe(0);
    expect(r.calls.filter((c) => !c.startsWith('id '))).toEqual([]);
    expect(r.out).toContain('setup-system: software Vulkan driver not requested (PASTICHE_SOFTWARE_GPU is not 1)\n');
  });

  it('Mesa absent (dpkg-query exits 1): installs it instead of dying', () => {
    const r = run({ modules: allModules, chromium: true });
    expect(r.code, r.out).toBe(0);
    expect(r.calls).toContain('dpkg-query -W -f=${db:Status-Status} ${Version}\\n mesa-vulkan-drivers');
    expect(installs(r.calls)).toEqual(['apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers']);
    expect(r.out).toContain('setup-system: Mesa Vulkan driver not installed: installing\n');
    expect(r.out).toContain('setup-system: installed mesa-vulkan-drivers from bookworm-backports\n');
  });

  it('Mesa too old: upgrades from backports, mirror read from a one-line sources.list', () => {
    const r = run({
      modules: allModules,
      chromium: true,
      mesa: '22.3.6-1+deb12u1',
      sources: { list: '# comment\ndeb http://mirror.example/debian-security bookworm-security main\ndeb http://mirror.example/debian bookworm main contrib\n' },
    });
    expect(r.code, r.out).toBe(0);
    expect(r.backports).toBe('deb http://mirror.example/debian bookworm-backports main\n');
    expect(installs(r.calls)).toEqual(['apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers']);
    expect(r.out).toContain('setup-system: Mesa Vulkan driver 22.3.6-1+deb12u1 is older than 24: upgrading\n');
  });

  it('no configured Debian source: skips Mesa, says why, still succeeds', () => {
    const r = run({ modules: allModules, chromium: true, sources: {} });
    expect(r.code, r.out).toBe(0);
    expect(installs(r.calls)).toEqual([]);
    expect(r.backports).toBeNull();
    expect(r.out).toMatch(/no enabled Debian source for bookworm in .*; software Vulkan driver not installed: the WebGPU tests will skip/);
  });

  it('not root: runs apt-get and the source write through sudo', () => {
    const r = run({ uid: 1000, modules: ['torch', 'PIL', 'onnx'], chromium: true });
    expect(r.code, r.out).toBe(0);
    expect(r.calls).toContain('sudo apt-get update -qq');
    expect(r.calls).toContain('sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pytest');
    expect(r.calls.some((c) => c.startsWith('sudo tee ') && c.endsWith('/etc/apt/sources.list.d/pastiche-backports.list'))).toBe(true);
    expect(r.out).toContain('setup-system: installing python3-pytest (through sudo)\n');
  });

  it('not root and no sudo: fails with a clear message', () => {
    const r = run({ uid: 1000, sudo: false });
    expect(r.code).toBe(1);
    expect(r.calls.filter((c) => c.startsWith('apt-get'))).toEqual([]);
    expect(r.out).toBe('setup-system: not root and no sudo: run this script as root\n');
  });
});
