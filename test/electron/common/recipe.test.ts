import { describe, expect, it } from 'vitest';
import { mergeRecipeXmp, parseRecipeXmp, RECIPE_NS, recipeXmp, type Recipe } from '../../../electron/common/recipe.js';

const H = 'a'.repeat(64);
const recipe: Recipe = {
  style: { 'starry-night': 0.7, 'great-wave': 0.3 },
  styleTitle: 'The Starry Night + The Great Wave & "friends"',
  styleHash: H,
  packId: 'pastiche-pack16',
  packFingerprint: 'b'.repeat(64),
  strength: 0.8,
  brush: 'native',
  preserveColors: true,
  size: 2048,
  appVersion: '0.1.0',
  source: 'café <1>.jpg',
  sourceBytes: 1234,
  settingsHash: 'c'.repeat(64),
};

describe('recipe XMP', () => {
  it('round-trips every field, escaped, under its own namespace', () => {
    const xmp = recipeXmp(recipe);
    expect(xmp).toContain(`xmlns:pastiche="${RECIPE_NS}"`);
    expect(xmp).toContain('pastiche:StyleTitle="The Starry Night + The Great Wave &amp; &quot;friends&quot;"');
    expect(xmp).toContain('pastiche:BlendIds="starry-night,great-wave"');
    expect(xmp).toContain('pastiche:BlendWeights="0.7,0.3"');
    expect(parseRecipeXmp(xmp)).toEqual(recipe);
    const single = { ...recipe, style: 'starry-night', packFingerprint: null, brush: 1024, size: 'original' } as const;
    expect(parseRecipeXmp(recipeXmp(single))).toEqual(single);
  });

  it("is added to the photo's own XMP, replacing an earlier recipe; element form reads too", () => {
    const photo =
      '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:format="image/jpeg"/></rdf:RDF></x:xmpmeta>';
    const once = mergeRecipeXmp(photo, recipe);
    expect(once).toContain('dc:format="image/jpeg"');
    const twice = mergeRecipeXmp(once, { ...recipe, strength: 0.5 });
    expect(twice.match(/pastiche:Strength=/g)).toHaveLength(1);
    expect(parseRecipeXmp(twice)?.strength).toBe(0.5);
    const elements = `<rdf:Description xmlns:pastiche="${RECIPE_NS}">${recipeXmp(recipe)
      .match(/pastiche:\w+="[^"]*"/g)
      ?.map((a) => a.replace(/^pastiche:(\w+)="([^"]*)"$/, '<pastiche:$1>$2</pastiche:$1>'))
      .join('')}</rdf:Description>`;
    expect(parseRecipeXmp(elements)).toEqual(recipe);
  });

  it('no recipe is null; a damaged one names its field', () => {
    expect(parseRecipeXmp(undefined)).toBeNull();
    expect(parseRecipeXmp('<x:xmpmeta/>')).toBeNull();
    expect(() => parseRecipeXmp(recipeXmp(recipe).replace(/\s+pastiche:StyleHash="[^"]*"/, ''))).toThrow('The recipe in the file has no StyleHash');
    expect(() => parseRecipeXmp(recipeXmp({ ...recipe, strength: 3 }))).toThrow("Expected number between 0 and 1 for the recipe Strength but received '3'");
  });
});
