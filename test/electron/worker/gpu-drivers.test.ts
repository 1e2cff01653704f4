import { describe, expect, it } from 'vitest';
import { explainNoAdapter, softwareDriverPolicy, vulkanManifestDirs } from '../../../electron/worker/gpu-drivers.js';

const ENV = { HOME: '/home/u' };
/** A machine whose /usr/share/vulkan/icd.d holds these manifests. */
const machine =
  (...names: string[]) =>
  (dir: string) =>
    dir === '/usr/share/vulkan/icd.d' ? names : [];

describe('software Vulkan drivers', () => {
  it("searches the Vulkan loader's manifest folders", () => {
    expect(vulkanManifestDirs(ENV)).toEqual([
      '/home/u/.config/vulkan/icd.d',
      '/etc/xdg/vulkan/icd.d',
      '/etc/vulkan/icd.d',
      '/home/u/.local/share/vulkan/icd.d',
      '/usr/local/share/vulkan/icd.d',
      '/usr/share/vulkan/icd.d',
    ]);
  });

  it('hides lavapipe and SwiftShader from the loader, keeping any list the user set', () => {
    const p = softwareDriverPolicy(ENV, 'linux', machine('lvp_icd.x86_64.json', 'nvidia_icd.json', 'vk_swiftshader_icd.json'));
    expect(p).toEqual({ env: { VK_LOADER_DRIVERS_DISABLE: '*lvp_icd*,*swiftshader_icd*' }, hidden: ['lvp_icd.x86_64.json', 'vk_swiftshader_icd.json'] });
    const q = softwareDriverPolicy({ ...ENV, VK_LOADER_DRIVERS_DISABLE: '*radeon*' }, 'linux', machine('lvp_icd.json'));
    expect(q.env).toEqual({ VK_LOADER_DRIVERS_DISABLE: '*radeon*,*lvp_icd*,*swiftshader_icd*' });
  });

  it('changes nothing without a software driver, off Linux, when allowed, or with an explicit driver list', () => {
    const none = { env: {}, hidden: [] };
    expect(softwareDriverPolicy(ENV, 'linux', machine('nvidia_icd.json', 'intel_icd.x86_64.json'))).toEqual(none);
    expect(softwareDriverPolicy(ENV, 'win32', machine('lvp_icd.json'))).toEqual(none);
    expect(softwareDriverPolicy({ ...ENV, PASTICHE_ALLOW_SOFTWARE_GPU: '1' }, 'linux', machine('lvp_icd.json'))).toEqual(none);
    expect(softwareDriverPolicy({ ...ENV, VK_ICD_FILENAMES: '/x/lvp_icd.json' }, 'linux', machine('lvp_icd.json'))).toEqual(none);
  });

  it('explains a missing adapter only when a software driver was hidden', () => {
    const msg = 'Failed to get a WebGPU adapter: No supported adapters';
    expect(explainNoAdapter(msg, [])).toBe(msg);
    expect(explainNoAdapter('out of memory', ['lvp_icd.json'])).toBe('out of memory');
    expect(explainNoAdapter(msg, ['lvp_icd.json'])).toBe(
      `${msg} (software Vulkan driver lvp_icd.json ignored: it runs on the CPU, slower than the CPU provider; PASTICHE_ALLOW_SOFTWARE_GPU=1 uses it)`,
    );
  });
});
