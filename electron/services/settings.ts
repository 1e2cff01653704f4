// Settings persisted as JSON in the app's userData folder. Loading is forgiving
// (a bad or missing key falls back to its default, a corrupt file to defaults);
// setting is strict (a bad value is a precise error, nothing is written).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Settings } from '../common/ipc-contract.js';
import {
  checkBoolean,
  checkOneOf,
  DEFAULT_BRUSH,
  DEFAULT_NAME_TEMPLATE,
  DEVICE_CHOICES,
  ParamError,
  parseNameTemplate,
  parseBrush,
  parseFormat,
  parsePreviewSize,
  parseQuality,
  parseSize,
  parseStrength,
} from '../common/params.js';
import { absPath, array, id, knownKeys, plainObject, ArgError } from './validate.js';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  theme: 'system',
  device: 'auto',
  previewSize: 1080,
  exportSize: 'original',
  brush: DEFAULT_BRUSH,
  format: 'jpg',
  quality: 92,
  keepMetadata: true,
  stripGps: true,
  skipExisting: true,
  nameTemplate: DEFAULT_NAME_TEMPLATE,
  recursive: true,
  strength: 1,
  preserveColors: false,
  outputDir: null,
  lastFolder: null,
  compareStyles: [],
} satisfies Settings);

type Validators = { [K in keyof Settings]: (v: unknown) => Settings[K] };

const THEMES = ['system', 'dark', 'light'] as const;
const COMPARE_STYLES_MAX = 12;
const flag = (name: string) => (v: unknown) => checkBoolean(name, v, 'strict');

// The same checks as the IPC requests (electron/common/params.ts, strict mode): a setting holds
// any value a request that uses it accepts.
const validators: Validators = {
  theme: (v) => checkOneOf('theme', v, THEMES),
  device: (v) => checkOneOf('device', v, DEVICE_CHOICES),
  previewSize: (v) => parsePreviewSize(v, 'previewSize', 'strict'),
  exportSize: (v) => parseSize(v, 'exportSize', 'strict'),
  brush: (v) => parseBrush(v, 'brush', 'strict'),
  format: (v) => parseFormat(v, 'format', 'strict'),
  quality: (v) => parseQuality(v, 'quality', 'strict'),
  keepMetadata: flag('keepMetadata'),
  stripGps: flag('stripGps'),
  skipExisting: flag('skipExisting'),
  nameTemplate: (v) => parseNameTemplate(v, 'nameTemplate', 'strict'),
  recursive: flag('recursive'),
  strength: (v) => parseStrength(v, 'strength', 'strict'),
  preserveColors: flag('preserveColors'),
  outputDir: (v) => (v === null ? null : absPath(v, 'outputDir')),
  lastFolder: (v) => (v === null ? null : absPath(v, 'lastFolder')),
  compareStyles: (v) => array(v, COMPARE_STYLES_MAX, 'compareStyles').map((s, i) => id(s, `compareStyles[${i}]`)),
};

const KEYS = Object.keys(validators) as (keyof Settings)[];

/** Validate a patch; throws ArgError or ParamError with a precise message on the first bad key. */
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
      if (!(e instanceof ArgError || e instanceof ParamError)) throw e;
    }
  }
  return out;
}

/**
 * Where exports go until the user chooses a folder: a Pastiche folder in the OS Pictures folder
 * (Electron's app.getPath('pictures') where known), created when the export dialog first checks it.
 */
export function defaultOutputDir(picturesDir?: string): string {
  return path.join(picturesDir ?? path.join(os.homedir(), 'Pictures'), 'Pastiche');
}

export class SettingsStore {
  readonly file: string;
  readonly defaultOutputDir: string;
  #current: Settings;

  constructor(file: string, opts: { picturesDir?: string } = {}) {
    this.file = file;
    this.defaultOutputDir = defaultOutputDir(opts.picturesDir);
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch {
      raw = null; // missing or corrupt: start from defaults
    }
    this.#current = sanitizeSettings(raw);
  }

  /** The saved settings; an output folder never chosen reads as the default one. */
  get(): Settings {
    return { ...structuredClone(this.#current), outputDir: this.#current.outputDir ?? this.defaultOutputDir };
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
