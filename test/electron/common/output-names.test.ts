import { describe, expect, it } from 'vitest';
import { DEFAULT_NAME_TEMPLATE, parseNameTemplate, renderNameTemplate, styleLabel } from '../../../electron/common/output-names.js';

const parts = { name: 'kodim05', style: 'starry-night', size: 'original', brush: 1024, strength: 1 } as const;

describe('output names', () => {
  it('the default names the photo and the style; a blend names each style with its share', () => {
    expect(DEFAULT_NAME_TEMPLATE).toBe('{name}_{style}');
    expect(renderNameTemplate(DEFAULT_NAME_TEMPLATE, parts)).toBe('kodim05_starry-night');
    expect(renderNameTemplate(DEFAULT_NAME_TEMPLATE, { ...parts, style: { 'starry-night': 0.7, 'great-wave': 0.3 } })).toBe('kodim05_starry-night-70+great-wave-30');
    expect(styleLabel({ 'starry-night': 1, 'great-wave': 1 })).toBe('starry-night-50+great-wave-50');
    expect(styleLabel({ 'starry-night': 2 })).toBe('starry-night');
  });

  it('every token', () => {
    expect(renderNameTemplate('{name}-{style}-{size}-b{brush}-s{strength}', { ...parts, size: 2048, brush: 'native', strength: 0.8 })).toBe('kodim05-starry-night-2048-bnative-s80');
    expect(renderNameTemplate('{style}_{name}_{size}', parts)).toBe('starry-night_kodim05_original');
  });

  it('a name over the byte limit shortens the photo name and keeps the style', () => {
    const long = '\u5199'.repeat(100); // 300 bytes
    const out = renderNameTemplate(DEFAULT_NAME_TEMPLATE, { ...parts, name: long }, 250);
    expect(out.endsWith('_starry-night')).toBe(true);
    expect(new TextEncoder().encode(out).length).toBeLessThanOrEqual(250);
    expect(new TextEncoder().encode(out).length).toBeGreaterThan(245);
  });

  it('templates are checked with precise messages', () => {
    expect(parseNameTemplate(' {name}_{style} ')).toBe('{name}_{style}');
    expect(() => parseNameTemplate('x', '--name-template')).toThrow("Expected a template containing {name} for --name-template but received 'x'");
    expect(() => parseNameTemplate('{name}_{colour}_{x}')).toThrow(
      "Expected a template whose tokens are among {name}, {style}, {size}, {brush}, {strength} (unknown: {colour}, {x}) for nameTemplate but received '{name}_{colour}_{x}'",
    );
    expect(() => parseNameTemplate('out/{name}')).toThrow("Expected a template without a path separator ('/') (outputs go into the output folder) for nameTemplate but received 'out/{name}'");
    expect(() => parseNameTemplate('..\\{name}')).toThrow("without a path separator ('\\')");
    expect(() => parseNameTemplate('{name}:{style}')).toThrow("Expected a template without ':' (outputs go into the output folder)");
    expect(() => parseNameTemplate('{name}_{style')).toThrow("Expected a template with balanced braces around each token for nameTemplate but received '{name}_{style'");
    expect(() => parseNameTemplate('.{name}')).toThrow("Expected a template not starting with '.' for nameTemplate");
    expect(() => parseNameTemplate('')).toThrow("Expected a template of 1-200 characters containing {name} for nameTemplate but received ''");
    expect(() => parseNameTemplate(12)).toThrow('Expected a template text containing {name} for nameTemplate but received 12');
    // Strict (settings, IPC): taken as given, not trimmed.
    expect(parseNameTemplate(' {name}', 'nameTemplate', 'strict')).toBe(' {name}');
  });
});
