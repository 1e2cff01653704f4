import { describe, expect, it } from 'vitest';
import { resolveStyle, styleCatalog } from '../../../electron/common/styles.js';

const catalog = styleCatalog([
  { id: 'ember', model: 'pack', index: 0 },
  { id: 'tide', model: 'pack', index: 1 },
  { id: 'moss', model: 'other', index: 0 },
  { id: 'fern', model: 'other', index: 1 },
  { id: 'solo', model: 'single', index: 0 },
]);
const unknown = (id: string): Error => new Error(`no ${id}`);

describe('resolveStyle', () => {
  it('resolves an id and a blend of one model, weights as given', () => {
    expect(resolveStyle(catalog, 'tide', unknown)).toEqual({ model: 'pack', parts: [{ id: 'tide', index: 1, weight: 1 }] });
    expect(resolveStyle(catalog, { ember: 3, tide: 1 }, unknown).parts.map((p) => [p.index, p.weight])).toEqual([
      [0, 3],
      [1, 1],
    ]);
  });

  it('refuses unknown ids, mixed models, single-style blends, negative and all-zero weights', () => {
    expect(() => resolveStyle(catalog, 'nope', unknown)).toThrow('no nope');
    expect(() => resolveStyle(catalog, { ember: 0.5, moss: 0.5 }, unknown)).toThrow("Expected styles of one model for style, but 'moss' belongs to 'other' and not 'pack'");
    expect(() => resolveStyle(catalog, { ember: 0.5, solo: 0.5 }, unknown)).toThrow("Style 'solo' cannot be blended: its model has a single style");
    expect(() => resolveStyle(catalog, { ember: -1, tide: 1 }, unknown)).toThrow("Expected number of at least 0 for style weight of 'ember' but received -1");
    expect(() => resolveStyle(catalog, { ember: 0, tide: 0 }, unknown)).toThrow('Expected blend weights of style to sum to more than 0');
    expect(() => resolveStyle(catalog, {}, unknown)).toThrow('Expected 1 to 16 styles in the blend for style but received 0');
  });
});
