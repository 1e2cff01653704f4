// The recipe: how an exported file was painted, written into its XMP under the app's own
// namespace so any XMP reader (exiftool, Lightroom) shows it, `--recipe` and the app can paint
// other photos the same way, and "skip existing" can tell this photo's export with these settings
// from another style's. Pure text in and out; hashes are computed by the engine.
import { parseBrush, parseSize, parseStrength, parseStyleSpec } from './params.js';
import type { Brush, SizeChoice, StyleBlend } from './types.js';

/** The namespace of the recipe's XMP properties (a name, never fetched). */
export const RECIPE_NS = 'https://pastiche.app/ns/1.0/';
export const RECIPE_PREFIX = 'pastiche';

export interface Recipe {
  /** A style id, or a blend's ids with their shares (summing to 1). */
  style: string | StyleBlend;
  /** The style's title; a blend's titles joined with ' + '. */
  styleTitle: string;
  /** sha256 (hex) of the style vector's float32 bytes, little-endian (weights-input packs: the weights). */
  styleHash: string;
  packId: string;
  /** The pack's fingerprint (manifest `pack.fingerprint`); null for a model without one. */
  packFingerprint: string | null;
  strength: number;
  brush: Brush;
  preserveColors: boolean;
  size: SizeChoice;
  appVersion: string;
  /** The photo it was painted from: its file name and size in bytes. */
  source: string;
  sourceBytes: number;
  /** sha256 (hex) of every setting that changes the output's bytes (style hash, pack, options, format). */
  settingsHash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function unesc(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-fA-F]+));/g, (m, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(Number.parseInt(hex, 16));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name] ?? m;
  });
}

/** Property name -> text, in the order written. */
function properties(r: Recipe): [string, string][] {
  const blend = typeof r.style === 'string' ? null : Object.entries(r.style);
  const styleText = blend ? blend.map(([id, w]) => `${id}=${w}`).join(',') : (r.style as string);
  const p: [string, string][] = [
    ['Style', styleText],
    ['StyleTitle', r.styleTitle],
  ];
  if (blend) {
    p.push(['BlendIds', blend.map(([id]) => id).join(',')]);
    p.push(['BlendWeights', blend.map(([, w]) => String(w)).join(',')]);
  }
  p.push(
    ['StyleHash', r.styleHash],
    ['PackId', r.packId],
    ['PackFingerprint', r.packFingerprint ?? ''],
    ['Strength', String(r.strength)],
    ['Brush', String(r.brush)],
    ['PreserveColors', r.preserveColors ? 'True' : 'False'],
    ['Size', String(r.size)],
    ['AppVersion', r.appVersion],
    ['Source', r.source],
    ['SourceBytes', String(r.sourceBytes)],
    ['SettingsHash', r.settingsHash],
  );
  return p;
}

/** The recipe as one rdf:Description. */
export function recipeDescription(r: Recipe): string {
  const attrs = properties(r)
    .map(([k, v]) => `\n    ${RECIPE_PREFIX}:${k}="${esc(v)}"`)
    .join('');
  return `<rdf:Description rdf:about="" xmlns:${RECIPE_PREFIX}="${RECIPE_NS}"${attrs}/>`;
}

/** A whole XMP packet holding only the recipe. */
export function recipeXmp(r: Recipe): string {
  return [
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    `    ${recipeDescription(r)}`,
    '  </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

/** Drops a recipe already in `xmp` (a painted photo painted again): attributes, elements, empty descriptions. */
function withoutRecipe(xmp: string): string {
  return xmp
    .replace(/\s+pastiche:\w+="[^"]*"/g, '')
    .replace(/<pastiche:(\w+)\b[^>]*\/>/g, '')
    .replace(/<pastiche:(\w+)\b[^>]*>[\s\S]*?<\/pastiche:\1>/g, '')
    .replace(/\s+xmlns:pastiche="[^"]*"/g, '')
    .replace(/<rdf:Description\s+rdf:about="[^"]*"\s*\/>/g, '');
}

/**
 * The photo's own XMP with the recipe added as a description of its own (any earlier recipe
 * replaced); the recipe alone where the photo has none, or none with an rdf:RDF to extend.
 */
export function mergeRecipeXmp(photoXmp: string | undefined, r: Recipe): string {
  if (!photoXmp) return recipeXmp(r);
  const base = withoutRecipe(photoXmp);
  const at = base.lastIndexOf('</rdf:RDF>');
  if (at < 0) return recipeXmp(r);
  return `${base.slice(0, at)}  ${recipeDescription(r)}\n  ${base.slice(at)}`;
}

/** The recipe's properties in an XMP packet, attribute or element form (tools rewrite one into the other). */
function readProperties(xmp: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of xmp.matchAll(/\bpastiche:(\w+)="([^"]*)"/g)) out.set(m[1] as string, unesc(m[2] as string));
  for (const m of xmp.matchAll(/<pastiche:(\w+)>([^<]*)<\/pastiche:\1>/g)) out.set(m[1] as string, unesc(m[2] as string));
  return out;
}

/**
 * The recipe in an XMP packet, or null when there is none. A recipe present but damaged (a
 * field missing or out of range) throws an Error naming the field.
 */
export function parseRecipeXmp(xmp: string | undefined): Recipe | null {
  if (!xmp || !xmp.includes(RECIPE_NS)) return null;
  const p = readProperties(xmp);
  if (p.size === 0) return null;
  const need = (k: string): string => {
    const v = p.get(k);
    if (v === undefined) throw new Error(`The recipe in the file has no ${k}`);
    return v;
  };
  const hex = (k: string): string => {
    const v = need(k);
    if (!HEX64.test(v)) throw new Error(`The recipe's ${k} is not a sha256: '${v}'`);
    return v;
  };
  const bool = need('PreserveColors');
  if (bool !== 'True' && bool !== 'False') throw new Error(`The recipe's PreserveColors is not True or False: '${bool}'`);
  const bytes = Number(need('SourceBytes'));
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`The recipe's SourceBytes is not a size: '${p.get('SourceBytes') ?? ''}'`);
  const fp = need('PackFingerprint');
  return {
    style: parseStyleSpec(need('Style'), 'the recipe Style'),
    styleTitle: need('StyleTitle'),
    styleHash: hex('StyleHash'),
    packId: need('PackId'),
    packFingerprint: fp === '' ? null : fp,
    strength: parseStrength(need('Strength'), 'the recipe Strength'),
    brush: parseBrush(need('Brush'), 'the recipe Brush'),
    preserveColors: bool === 'True',
    size: parseSize(need('Size'), 'the recipe Size'),
    appVersion: need('AppVersion'),
    source: need('Source'),
    sourceBytes: bytes,
    settingsHash: hex('SettingsHash'),
  };
}
