// The recipe of an export (electron/common/recipe.ts) on the engine's side: built from the
// resolved style and options (hashes need node:crypto), read back from a painted file with
// sharp, compared with a job to tell "this photo with these settings" from another export,
// and turned back into options for `--recipe` and the app's "Use settings from a painted file".
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { PasticheError } from '../common/errors.js';
import { parseRecipeXmp, type Recipe } from '../common/recipe.js';
import type { Precision, StyleBlend, StylizeOptions } from '../common/types.js';
import { DEFAULT_NAME_TEMPLATE, parseNameTemplate, renderNameTemplate } from '../common/output-names.js';
import { checkBoolean } from '../common/params.js';
import { planBatch, type BatchPlan } from './batch.js';
import { styleInput, type LoadedManifest } from '../catalog/manifest.js';
import { packageRoot } from './paths.js';

let version: string | null = null;

/** The app's version (package.json), read once. */
export function appVersion(): string {
  if (version === null) {
    try {
      const v = (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown }).version;
      version = typeof v === 'string' ? v : 'unknown';
    } catch {
      version = 'unknown';
    }
  }
  return version;
}

/** sha256 (hex) of float32 values as stored: little-endian bytes, the style files' own. */
export function float32Sha(values: readonly number[]): string {
  const f = Float32Array.from(values);
  const bytes = Buffer.alloc(f.length * 4);
  f.forEach((x, i) => bytes.writeFloatLE(x, i * 4));
  return createHash('sha256').update(bytes).digest('hex');
}

/** A blend's weights as shares summing to 1 (6 decimals, so they print without exponents). */
function shares(style: string | StyleBlend): string | StyleBlend {
  if (typeof style === 'string') return style;
  const entries = Object.entries(style);
  if (entries.length === 1) return (entries[0] as [string, number])[0];
  const total = entries.reduce((a, [, w]) => a + w, 0);
  return Object.fromEntries(entries.map(([id, w]) => [id, Math.round((w / total) * 1e6) / 1e6]));
}

/** The part of a recipe shared by every photo of a batch (source fields blank). */
export function batchRecipe(manifest: LoadedManifest, o: StylizeOptions, precision: Precision): Recipe {
  const r = styleInput(manifest, o.style);
  const style = shares(o.style);
  const ids = typeof style === 'string' ? [style] : Object.keys(style);
  const title = ids.map((id) => manifest.styles.find((s) => s.id === id)?.title ?? id).join(' + ');
  // What the recipe records of the painting; the hash also covers the file's encoding.
  const painting = {
    styleHash: float32Sha(r.vector ?? r.weights ?? []),
    packId: r.model.info.id,
    packFingerprint: r.model.info.pack?.fingerprint ?? null,
    strength: o.strength,
    brush: o.brush,
    preserveColors: o.preserveColors,
    size: o.size,
  };
  // Everything that changes the output's bytes, so an equal hash means an equal export.
  const settings = {
    ...painting,
    format: o.format,
    quality: o.quality,
    keepMetadata: o.keepMetadata,
    stripGps: o.stripGps,
    precision,
  };
  const settingsHash = createHash('sha256').update(JSON.stringify(settings)).digest('hex');
  return {
    style,
    styleTitle: title,
    ...painting,
    appVersion: appVersion(),
    source: '',
    sourceBytes: 0,
    settingsHash,
  };
}

/** The batch's recipe for one photo; a photo that cannot be read keeps size -1 (it fails later anyway). */
export async function photoRecipe(base: Recipe, input: string): Promise<Recipe> {
  const bytes = await stat(input).then(
    (s) => s.size,
    () => -1,
  );
  return { ...base, source: path.basename(input), sourceBytes: bytes };
}

/**
 * The recipe in an image file; null when the file holds none (or is no image sharp reads).
 * `strict` throws instead, with the reason, for `--recipe` and the app's open-recipe.
 */
export async function readRecipe(file: string, strict = false): Promise<Recipe | null> {
  let xmp: string | undefined;
  try {
    const md = await sharp(file).metadata();
    xmp = md.xmpAsString ?? md.xmp?.toString('utf8');
  } catch (e) {
    if (strict) throw new PasticheError('DECODE', `Cannot read a recipe from ${file}: ${(e as Error).message}`);
    return null;
  }
  try {
    const r = parseRecipeXmp(xmp);
    if (!r && strict) throw new PasticheError('NOT_FOUND', `${file} holds no Pastiche recipe (no XMP with the app's settings): export it with Pastiche, or choose another file`);
    return r;
  } catch (e) {
    if (!strict) return null;
    throw e instanceof PasticheError ? e : new PasticheError('DECODE', `The recipe in ${file} is damaged: ${(e as Error).message}`);
  }
}

/** A painted file's recipe and the options it paints with. */
export interface RecipeSettings {
  recipe: Recipe;
  options: Pick<StylizeOptions, 'style' | 'strength' | 'brush' | 'preserveColors' | 'size'>;
}

/** What is at an output's name: nothing, this photo exported with these settings, or something else. */
export type Existing = 'none' | 'same' | 'other';

export async function existingOutput(output: string, want: Recipe): Promise<Existing> {
  try {
    await stat(output);
  } catch {
    return 'none';
  }
  const r = await readRecipe(output);
  return r && r.settingsHash === want.settingsHash && r.source === want.source && r.sourceBytes === want.sourceBytes ? 'same' : 'other';
}

/** The painting options of a recipe, checked against the loaded styles: the pack, its fingerprint and each style's vector. */
export function recipeOptions(manifest: LoadedManifest, r: Recipe, file: string): RecipeSettings['options'] {
  const model = manifest.models.find((m) => m.info.id === r.packId);
  if (!model)
    throw new PasticheError(
      'MODEL',
      `The recipe in ${file} was painted with the pack '${r.packId}', which is not installed (installed: ${manifest.models.map((m) => m.info.id).join(', ') || 'none'})`,
    );
  const fp = model.info.pack?.fingerprint ?? null;
  if (fp !== r.packFingerprint)
    throw new PasticheError('MODEL', `The recipe in ${file} was painted with another version of the pack '${r.packId}' (fingerprint ${r.packFingerprint ?? 'none'}, installed ${fp ?? 'none'})`);
  let resolved;
  try {
    resolved = styleInput(manifest, r.style);
  } catch (e) {
    throw new PasticheError('MODEL', `The recipe in ${file} names a style that is not loaded: ${(e as Error).message}`);
  }
  if (float32Sha(resolved.vector ?? resolved.weights ?? []) !== r.styleHash) {
    throw new PasticheError('MODEL', `The style '${r.styleTitle}' in the recipe of ${file} differs from the one loaded under that id (its vector's sha256 does not match)`);
  }
  return { style: r.style, strength: r.strength, brush: r.brush, preserveColors: r.preserveColors, size: r.size };
}

/**
 * A batch's plan named by the template, each output placed against what is already there (the
 * recipes of existing files), and each photo's recipe (read from disk once).
 */
export async function planExport(
  manifest: LoadedManifest,
  precision: Precision,
  inputs: readonly string[],
  outDir: string,
  o: StylizeOptions,
  p: { recursive: boolean; overwrite: unknown; template: unknown },
): Promise<{ plan: BatchPlan; recipeOf: (input: string) => Promise<Recipe> }> {
  const overwrite = p.overwrite === undefined ? false : checkBoolean('overwrite', p.overwrite);
  const template = p.template === undefined ? DEFAULT_NAME_TEMPLATE : parseNameTemplate(p.template);
  const base = batchRecipe(manifest, o, precision);
  const recipes = new Map<string, Recipe>();
  const recipeOf = async (input: string): Promise<Recipe> => {
    const known = recipes.get(input);
    if (known) return known;
    const r = await photoRecipe(base, input);
    recipes.set(input, r);
    return r;
  };
  const plan = await planBatch(inputs, outDir, {
    recursive: p.recursive,
    format: o.format,
    overwrite,
    name: (stem, maxBytes) => renderNameTemplate(template, { name: stem, style: o.style, size: o.size, brush: o.brush, strength: o.strength }, maxBytes),
    existing: async (out, input) => existingOutput(out, await recipeOf(input)),
  });
  return { plan, recipeOf };
}
