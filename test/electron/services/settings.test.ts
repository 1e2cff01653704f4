import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SETTINGS, sanitizeSettings, SettingsStore, validateSettingsPatch } from '../../../electron/services/settings.js';

const tmpFile = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pastiche-settings-')), 'settings.json');

describe('settings validation', () => {
  it('accepts valid patches', () => {
    expect(validateSettingsPatch({ theme: 'light', exportSize: 'original', brush: 'native', quality: 80, compareStyles: ['a-b'] })).toEqual({
      theme: 'light',
      exportSize: 'original',
      brush: 'native',
      quality: 80,
      compareStyles: ['a-b'],
    });
  });

  it.each([
    [{ previewSize: 'abc' }, "Expected integer between 64 and 4096 for previewSize but received 'abc'"],
    [{ previewSize: '1080' }, "Expected integer between 64 and 4096 for previewSize but received '1080'"],
    [{ exportSize: 10 }, "Expected integer between 64 and 16384 or 'original' for exportSize but received 10"],
    [{ brush: 10 }, "Expected integer between 256 and 8192 or 'native' for brush but received 10"],
    [{ brush: '2048' }, "Expected integer between 256 and 8192 or 'native' for brush but received '2048'"],
    [{ quality: 101 }, 'Expected integer between 1 and 100 for quality but received 101'],
    [{ strength: 1.5 }, 'Expected number between 0 and 1 for strength but received 1.5'],
    [{ theme: 'pink' }, "Expected one of system, dark, light for theme but received 'pink'"],
    [{ keepMetadata: 'yes' }, "Expected boolean for keepMetadata but received 'yes'"],
    [{ outputDir: 'relative/dir' }, "Expected absolute path for outputDir but received 'relative/dir'"],
    [{ outputDir: '/a/../b' }, "Expected outputDir without '..' segments but received '/a/../b'"],
    [{ compareStyles: ['../x'] }, "Expected id (lowercase letters, digits and '-', at most 64) for compareStyles[0] but received '../x'"],
    [{ nameTemplate: 'x' }, "Expected a template containing {name} for nameTemplate but received 'x'"],
    [{ nameTemplate: '{name}/{style}' }, "Expected a template without a path separator ('/') (outputs go into the output folder) for nameTemplate but received '{name}/{style}'"],
    [{ nameTemplate: '{name}_{artist}' }, 'Expected a template whose tokens are among {name}, {style}, {size}, {brush}, {strength} (unknown: {artist})'],
    [{ bogus: 1 }, "Unknown key 'bogus' in settings"],
    ['nope', "Expected object for settings but received 'nope'"],
  ])('refuses %j', (patch, message) => {
    expect(() => validateSettingsPatch(patch)).toThrow(message);
  });

  it('output names: the style is in them by default; a template with {name} is kept', () => {
    expect(DEFAULT_SETTINGS.nameTemplate).toBe('{name}_{style}');
    expect(validateSettingsPatch({ nameTemplate: '{name} ({style}, {strength})' })).toEqual({ nameTemplate: '{name} ({style}, {strength})' });
    expect(sanitizeSettings({ nameTemplate: 'no-name' }).nameTemplate).toBe('{name}_{style}');
  });

  it('sanitize keeps valid keys and defaults the rest', () => {
    const s = sanitizeSettings({ theme: 'light', quality: 'high', extra: true });
    expect(s.theme).toBe('light');
    expect(s.quality).toBe(DEFAULT_SETTINGS.quality);
    expect(s.brush).toBe(1024);
    expect(sanitizeSettings({ brush: 2048 }).brush).toBe(2048);
    expect(sanitizeSettings({ brush: 'huge' }).brush).toBe(1024);
    expect(s).not.toHaveProperty('extra');
    expect(sanitizeSettings('garbage')).toEqual({ ...DEFAULT_SETTINGS, compareStyles: [] });
  });
});

describe('SettingsStore', () => {
  it('starts from defaults when the file is missing or corrupt, persists atomically', () => {
    const file = tmpFile();
    fs.writeFileSync(file, '{not json');
    const store = new SettingsStore(file);
    // An output folder never chosen reads as the default one (Pictures/Pastiche).
    expect(store.get()).toEqual({ ...DEFAULT_SETTINGS, compareStyles: [], outputDir: store.defaultOutputDir });
    store.set({ theme: 'dark', previewSize: 768 });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ theme: 'dark', previewSize: 768 });
    expect(new SettingsStore(file).get().previewSize).toBe(768);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['settings.json']);
  });

  it('a refused patch writes nothing', () => {
    const file = tmpFile();
    const store = new SettingsStore(file);
    expect(() => store.set({ quality: 0 })).toThrow('Expected integer between 1 and 100 for quality but received 0');
    expect(fs.existsSync(file)).toBe(false);
    expect(store.get().quality).toBe(DEFAULT_SETTINGS.quality);
  });
});
