// Settings persisted as JSON in the app's userData folder. Loading is forgiving
// (a bad or missing key falls back to its default, a corrupt file to defaults);
// setting is strict (a bad value is a precise error, nothing is written).

import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from '../common/ipc-contract.js';
import { absPath, array, bool, FORMATS, id, int, knownKeys, oneOf, plainObject, sizeChoice, num, ArgError } from './validate.js';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  theme: 'system',
  device: 'auto',
  previewSize: 1080,
  exportSize: 'original',
  format: 'jpg',
  quality: 92,
  keepMetadata: true,
  stripGps: true,
  skipExisting: true,
  recursive: true,
  strength: 1,
  preserveColors: false,
  outputDir: null,
  lastFolder: null,
  compareStyles: [],
} satisfies Settings);

type Validators = { [K in keyof Settings]: (v: unknown) => Settings[K] };

const validators: Validators = {
  theme: (v) => oneOf(v, ['system', 'dark', 'light'] as const, 'theme'),
  device: (v) => oneOf(v, ['auto', 'cpu', 'gpu'] as const, 'device'),
  previewSize: (v) => int(v, 256, 4096, 'previewSize'),
  exportSize: (v) => sizeChoice(v, 'exportSize'),
  format: (v) => oneOf(v, FORMATS, 'format'),
  quality: (v) => int(v, 1, 100, 'quality'),
  keepMetadata: (v) => bool(v, 'keepMetadata'),
  stripGps: (v) => bool(v, 'stripGps'),
  skipExisting: (v) => bool(v, 'skipExisting'),
  recursive: (v) => bool(v, 'recursive'),
  strength: (v) => num(v, 0, 1, 'strength'),
  preserveColors: (v) => bool(v, 'preserveColors'),
  outputDir: (v) => (v === null ? null : absPath(v, 'outputDir')),
  lastFolder: (v) => (v === null ? null : absPath(v, 'lastFolder')),
  compareStyles: (v) => array(v, 12, 'compareStyles').map((s, i) => id(s, `compareStyles[${i}]`)),
};

const KEYS = Object.keys(validators) as (keyof Settings)[];

/** Validate a patch; throws ArgError with a precise message on the first bad key. */
export function validateSettingsPatch(patch: unknown): Partial<Settings> {
  const o = plainObject(patch, 'settings');
  knownKeys(o, KEYS, 'settings');
  const out: Partial<Settings> = {};
  for (const k of KEYS) {
    if (Object.hasOwn(o, k)) (out as Record<string, unknown>)[k] = validators[k](o[k]);
  }
  return out;
}

/** Forgiving load: keep every valid key, default the rest. */
export function sanitizeSettings(raw: unknown): Settings {
  const out: Settings = { ...DEFAULT_SETTINGS, compareStyles: [] };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  const o = raw as Record<string, unknown>;
  for (const k of KEYS) {
    if (!Object.hasOwn(o, k)) continue;
    try {
      (out as unknown as Record<string, unknown>)[k] = validators[k](o[k]);
    } catch (e) {
      if (!(e instanceof ArgError)) throw e;
    }
  }
  return out;
}

export class SettingsStore {
  readonly file: string;
  #current: Settings;

  constructor(file: string) {
    this.file = file;
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      raw = null; // missing or corrupt: start from defaults
    }
    this.#current = sanitizeSettings(raw);
  }

  get(): Settings {
    return structuredClone(this.#current);
  }

  set(patch: unknown): Settings {
    const valid = validateSettingsPatch(patch);
    const next = { ...this.#current, ...valid };
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    // Atomic replace so a crash mid-write never leaves half a file.
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(next, null, 2));
    fs.renameSync(tmp, this.file);
    this.#current = next;
    return this.get();
  }
}
