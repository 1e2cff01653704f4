// Software Vulkan drivers (Mesa's lavapipe, Google's SwiftShader) give Dawn, and so onnxruntime's
// WebGPU provider, an adapter that runs on the CPU. Measured here: 640x360 takes 4.4 s through
// lavapipe against 0.15 s on onnxruntime's own CPU provider (docs/performance.md), so 'auto' must
// never pick one. Mesa >= 24 passes Dawn's checks, and desktop Linux installs it by default: a VM or
// a machine without GPU drivers would otherwise get it. The worker hides these drivers from the
// Vulkan loader before the first WebGPU session; PASTICHE_ALLOW_SOFTWARE_GPU=1 keeps them (the
// tests use it to run the WebGPU path on machines without a GPU).
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Driver manifest names of known CPU-only Vulkan implementations. */
const SOFTWARE_MANIFEST = /lvp_icd|swiftshader_icd/i;
/** The same, as globs for VK_LOADER_DRIVERS_DISABLE (Vulkan loader >= 1.3.234). */
const SOFTWARE_GLOBS = '*lvp_icd*,*swiftshader_icd*';

export const ALLOW_SOFTWARE_GPU_ENV = 'PASTICHE_ALLOW_SOFTWARE_GPU';

export interface DriverPolicy {
  /** Variables to set in this process before the first WebGPU session. */
  env: Record<string, string>;
  /** Software driver manifests found on this machine and hidden (file names), for messages. */
  hidden: string[];
}

/** Where the Vulkan loader looks for driver manifests on Linux (its documented search order). */
export function vulkanManifestDirs(env: NodeJS.ProcessEnv): string[] {
  const home = env['HOME'] ?? os.homedir();
  const config = [env['XDG_CONFIG_HOME'] ?? path.join(home, '.config'), ...(env['XDG_CONFIG_DIRS'] ?? '/etc/xdg').split(':')];
  const data = [env['XDG_DATA_HOME'] ?? path.join(home, '.local/share'), ...(env['XDG_DATA_DIRS'] ?? '/usr/local/share:/usr/share').split(':')];
  const dirs = [...config, '/etc', ...data].filter(Boolean).map((d) => path.join(d, 'vulkan', 'icd.d'));
  return [...new Set(dirs)];
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function softwareDriverPolicy(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, list: (dir: string) => string[] = listDir): DriverPolicy {
  // Dawn uses Vulkan only on Linux (D3D12 on Windows, Metal on macOS).
  if (platform !== 'linux' || env[ALLOW_SOFTWARE_GPU_ENV] === '1') return { env: {}, hidden: [] };
  // An explicit driver list is the user's own choice of driver.
  if (env['VK_ICD_FILENAMES'] || env['VK_DRIVER_FILES']) return { env: {}, hidden: [] };
  const hidden = [...new Set(vulkanManifestDirs(env).flatMap((d) => list(d).filter((n) => SOFTWARE_MANIFEST.test(n))))].sort();
  if (hidden.length === 0) return { env: {}, hidden };
  const prev = env['VK_LOADER_DRIVERS_DISABLE'];
  return { env: { VK_LOADER_DRIVERS_DISABLE: prev ? `${prev},${SOFTWARE_GLOBS}` : SOFTWARE_GLOBS }, hidden };
}

/** Adds why a machine with a software driver reports no adapter, and how to use it anyway. */
export function explainNoAdapter(message: string, hidden: readonly string[]): string {
  if (hidden.length === 0 || !/No supported adapters|Failed to get a WebGPU adapter/i.test(message)) return message;
  return `${message} (software Vulkan driver ${hidden.join(', ')} ignored: it runs on the CPU, slower than the CPU provider; ${ALLOW_SOFTWARE_GPU_ENV}=1 uses it)`;
}
