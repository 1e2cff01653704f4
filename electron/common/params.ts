// Parameter validation shared by the CLI, the IPC handlers and the engine.
// Messages follow sharp's style ("Expected <what> for <name> but received <value>") so a
// user sees the same wording whichever entry point they used. Pure: imports nothing at runtime.

import type { Brush, DeviceChoice, ModelVariant, OutputFormat, Precision, SizeChoice, StyleBlend, StylizeOptions } from './types.js';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['jpg', 'png', 'webp', 'tiff', 'avif'];
export const DEVICE_CHOICES: readonly DeviceChoice[] = ['auto', 'cpu', 'gpu'];
export const PRECISIONS: readonly Precision[] = ['auto', 'fp32'];
export const MODEL_VARIANTS: readonly ModelVariant[] = ['tiles', 'single', 'fp16', 'fp16-tiles', 'int8'];
/** An inclusive numeric limit; every limit of the vocabulary is one named Range. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** Long edge of an output, in pixels ('original' aside). */
export const SIZE: Range = { min: 64, max: 16384 };
/** Long edge of a preview, in pixels: a preview is never 'original', and never larger than this. */
export const PREVIEW_SIZE: Range = { min: SIZE.min, max: 4096 };
export const STRENGTH: Range = { min: 0, max: 1 };
export const QUALITY: Range = { min: 1, max: 100 };
export const THREADS: Range = { min: 1, max: 256 };
/** Refusal threshold of a photo's declared pixel count (checked before decoding). */
export const MAX_PIXELS: Range = { min: 1, max: 2 ** 40 };
/** Brush: the long edge at which the style is painted (electron/imaging/brush.ts), 'native' aside. */
export const BRUSH: Range = { min: 256, max: 8192 };
/**
 * Default brush: 768 merges a photo's subjects into one another, at 2048 strokes survive only at
 * edges, and native is a speckled photo on a camera-size picture (docs/brush.md).
 */
export const DEFAULT_BRUSH = 1024;

/** The brushes the app's control offers, smallest to 'native' (any brush in BRUSH works elsewhere). */
export const BRUSH_STOPS: readonly Brush[] = [256, 384, 512, 768, DEFAULT_BRUSH, 1536, 2048, 3072, 4096, 'native'];

/** The export sizes the app offers (long edge), with their names. */
export const EXPORT_SIZES: readonly { label: string; value: SizeChoice }[] = [
  { label: '720p', value: 1280 },
  { label: '1080p', value: 1920 },
  { label: '1440p', value: 2560 },
  { label: '4K', value: 3840 },
  { label: 'Original', value: 'original' },
];

/**
 * Whether the user chose the brush, the one rule of every entry point: a brush the user gave (the
 * CLI's --brush) is chosen; where one is always sent (the app's settings), only one away from
 * DEFAULT_BRUSH is. The caller passes the answer as `brushChosen`; only a chosen brush larger than
 * the photo is worth a warning.
 */
export function brushChosen(brush: Brush | undefined, from: 'given' | 'settings'): boolean {
  if (brush === undefined) return false;
  return from === 'given' || brush !== DEFAULT_BRUSH;
}
/** Default refusal threshold: declared pixel count above this is refused before decoding. */
export const DEFAULT_MAX_PIXELS = 300_000_000;
/** Pixels above which a photo is inferred in tiles (`--tile-pixels`). */
export const TILE_PIXELS: Range = { min: 65_536, max: 300_000_000 };
/** `pastiche bench`: timed runs, untimed warm-up runs, photos of the batch run. */
export const BENCH_RUNS: Range = { min: 1, max: 1000 };
export const BENCH_WARMUPS: Range = { min: 0, max: 100 };
export const BENCH_BATCH: Range = { min: 0, max: 10_000 };
/** Styles in one blend (a multi-style model holds at most this many). */
export const BLEND_STYLES: Range = { min: 1, max: 16 };

/** JPEG quality of previews and style thumbnails (the worker encodes them; PNG where the photo has alpha). */
export const PREVIEW_QUALITY = 85;
/** The encoding fields of a preview request: what the worker writes, with no metadata. */
export const PREVIEW_ENCODING = { format: 'jpg', quality: PREVIEW_QUALITY, keepMetadata: false, stripGps: true } as const satisfies Partial<StylizeOptions>;

export const DEFAULT_STYLIZE_OPTIONS: Omit<StylizeOptions, 'style'> = {
  size: 'original',
  brush: DEFAULT_BRUSH,
  strength: 1,
  preserveColors: false,
  format: 'jpg',
  quality: 92,
  keepMetadata: true,
  stripGps: false,
};

export class ParamError extends Error {
  readonly code = 'INVALID_PARAM' as const;
  readonly param: string;

  constructor(param: string, message: string) {
    super(message);
    this.name = 'ParamError';
    this.param = param;
  }
}

/** How a received value is quoted in messages: strings in single quotes, like sharp. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function invalid(name: string, expected: string, received: unknown): ParamError {
  return new ParamError(name, `Expected ${expected} for ${name} but received ${describeValue(received)}`);
}

/**
 * How a check reads its value. 'parse' (the CLI, the engine's API): strings are parsed, exact
 * decimal spellings only ("1e3", "12px" are refused), format aliases like 'jpeg' accepted.
 * 'strict' (IPC): the value must already have its JS type; '512' for a number is a renderer bug,
 * so it is refused rather than coerced.
 */
export type Mode = 'parse' | 'strict';

const INT_RE = /^[+-]?\d+$/;
const NUM_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function toInteger(v: unknown, mode: Mode): number | null {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (mode === 'parse' && typeof v === 'string' && INT_RE.test(v.trim())) return Number.parseInt(v.trim(), 10);
  return null;
}

function toNumber(v: unknown, mode: Mode): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (mode === 'parse' && typeof v === 'string' && NUM_RE.test(v.trim())) return Number.parseFloat(v.trim());
  return null;
}

export function checkInteger(name: string, v: unknown, range: Range, mode: Mode = 'parse'): number {
  const n = toInteger(v, mode);
  if (n === null || n < range.min || n > range.max) throw invalid(name, `integer between ${range.min} and ${range.max}`, v);
  return n;
}

export function checkNumber(name: string, v: unknown, range: Range, mode: Mode = 'parse'): number {
  const n = toNumber(v, mode);
  if (n === null || n < range.min || n > range.max) throw invalid(name, `number between ${range.min} and ${range.max}`, v);
  return n;
}

export function checkBoolean(name: string, v: unknown, mode: Mode = 'parse'): boolean {
  if (typeof v === 'boolean') return v;
  if (mode === 'parse' && v === 'true') return true;
  if (mode === 'parse' && v === 'false') return false;
  throw invalid(name, 'boolean', v);
}

export function checkOneOf<T extends string>(name: string, v: unknown, values: readonly T[]): T {
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  throw invalid(name, `one of ${values.join(', ')}`, v);
}

/** Long edge in pixels (SIZE) or 'original'. */
export function parseSize(v: unknown, name = 'size', mode: Mode = 'parse'): SizeChoice {
  if (v === 'original') return 'original';
  const n = toInteger(v, mode);
  if (n === null || n < SIZE.min || n > SIZE.max) {
    throw invalid(name, `integer between ${SIZE.min} and ${SIZE.max} or 'original'`, v);
  }
  return n;
}

/** Preview sizes are always a number (a preview of 'original' would defeat its purpose). */
export function parsePreviewSize(v: unknown, name = 'size', mode: Mode = 'parse'): number {
  return checkInteger(name, v, PREVIEW_SIZE, mode);
}

/** An edge of the 1:1 view's rectangle: up to a 4K screen at device pixels. */
export const REGION_EDGE: Range = { min: 1, max: 4096 };
/** A corner of it: anywhere in the largest export. */
export const REGION_OFFSET: Range = { min: 0, max: SIZE.max };

/** A rectangle of the export in pixels: { x, y, width, height }, integers. */
export function parseRect(v: unknown, name = 'rect', mode: Mode = 'parse'): { x: number; y: number; width: number; height: number } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(name, 'an object { x, y, width, height }', v);
  const o = v as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !['x', 'y', 'width', 'height'].includes(k));
  if (extra !== undefined) throw new ParamError(name, `Unknown key '${extra}' in ${name}: expected x, y, width and height`);
  return {
    x: checkInteger(`${name}.x`, o['x'], REGION_OFFSET, mode),
    y: checkInteger(`${name}.y`, o['y'], REGION_OFFSET, mode),
    width: checkInteger(`${name}.width`, o['width'], REGION_EDGE, mode),
    height: checkInteger(`${name}.height`, o['height'], REGION_EDGE, mode),
  };
}

/** Brush: an integer in BRUSH or 'native'. */
export function parseBrush(v: unknown, name = 'brush', mode: Mode = 'parse'): Brush {
  if (v === 'native') return 'native';
  const n = toInteger(v, mode);
  if (n === null || n < BRUSH.min || n > BRUSH.max) throw invalid(name, `integer between ${BRUSH.min} and ${BRUSH.max} or 'native'`, v);
  return n;
}

export function parseStrength(v: unknown, name = 'strength', mode: Mode = 'parse'): number {
  return checkNumber(name, v, STRENGTH, mode);
}

export function parseQuality(v: unknown, name = 'quality', mode: Mode = 'parse'): number {
  return checkInteger(name, v, QUALITY, mode);
}

// Common spellings people type; normalized silently rather than refused (parse mode only).
const FORMAT_ALIASES: Record<string, OutputFormat> = { jpeg: 'jpg', tif: 'tiff' };

export function parseFormat(v: unknown, name = 'format', mode: Mode = 'parse'): OutputFormat {
  const s = mode === 'parse' && typeof v === 'string' ? (FORMAT_ALIASES[v.toLowerCase()] ?? v.toLowerCase()) : v;
  if (typeof s === 'string' && (OUTPUT_FORMATS as readonly string[]).includes(s)) return s as OutputFormat;
  throw invalid(name, `one of ${OUTPUT_FORMATS.join(', ')}`, v);
}

export function parseDevice(v: unknown, name = 'device'): DeviceChoice {
  return checkOneOf(name, v, DEVICE_CHOICES);
}

export function parsePrecision(v: unknown, name = 'precision'): Precision {
  return checkOneOf(name, v, PRECISIONS);
}

export function parseThreads(v: unknown, name = 'threads', mode: Mode = 'parse'): number {
  return checkInteger(name, v, THREADS, mode);
}

export function parseMaxPixels(v: unknown, name = 'maxPixels', mode: Mode = 'parse'): number {
  return checkInteger(name, v, MAX_PIXELS, mode);
}

const STYLE_ID_RE = /^[a-z0-9][a-z0-9-]*$/;

/**
 * A style id ("starry-night") or a blend "a=0.7,b=0.3". Weights must be >= 0 and not all 0;
 * they are normalized later against the model (the engine knows which ids exist).
 */
export function parseStyleSpec(v: unknown, name = 'style'): string | StyleBlend {
  const expected = 'style id or id=weight[,id=weight...]';
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const blend: StyleBlend = {};
    let total = 0;
    for (const [id, w] of Object.entries(v)) {
      if (!STYLE_ID_RE.test(id) || typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw invalid(name, expected, v);
      blend[id] = w;
      total += w;
    }
    if (Object.keys(blend).length === 0 || total <= 0) throw invalid(name, expected, v);
    return blend;
  }
  if (typeof v !== 'string') throw invalid(name, expected, v);
  const s = v.trim();
  if (!s.includes('=')) {
    if (!STYLE_ID_RE.test(s)) throw invalid(name, expected, v);
    return s;
  }
  const blend: StyleBlend = {};
  let total = 0;
  for (const part of s.split(',')) {
    const [id, w, extra] = part.split('=').map((p) => p.trim());
    const weight = toNumber(w, 'parse');
    if (id === undefined || !STYLE_ID_RE.test(id) || weight === null || weight < 0 || extra !== undefined || id in blend) {
      throw invalid(name, expected, v);
    }
    blend[id] = weight;
    total += weight;
  }
  if (total <= 0) throw invalid(name, expected, v);
  return blend;
}

export type StylizeOptionsInput = { [K in keyof StylizeOptions]?: unknown };

/** Validates every field present and fills the rest with defaults. `style` is required. */
export function normalizeStylizeOptions(input: StylizeOptionsInput): StylizeOptions {
  const d = DEFAULT_STYLIZE_OPTIONS;
  return {
    style: parseStyleSpec(input.style),
    size: input.size === undefined ? d.size : parseSize(input.size),
    brush: input.brush === undefined ? d.brush : parseBrush(input.brush),
    strength: input.strength === undefined ? d.strength : parseStrength(input.strength),
    preserveColors: input.preserveColors === undefined ? d.preserveColors : checkBoolean('preserveColors', input.preserveColors),
    format: input.format === undefined ? d.format : parseFormat(input.format),
    quality: input.quality === undefined ? d.quality : parseQuality(input.quality),
    keepMetadata: input.keepMetadata === undefined ? d.keepMetadata : checkBoolean('keepMetadata', input.keepMetadata),
    stripGps: input.stripGps === undefined ? d.stripGps : checkBoolean('stripGps', input.stripGps),
  };
}

/** File extension written for each output format. */
export function extensionFor(format: OutputFormat): string {
  return format === 'jpg' ? '.jpg' : `.${format}`;
}

// ---- output names (rendered by output-names.ts) ----

/** The photo's name and the style: what tells two exports of one photo apart. */
export const DEFAULT_NAME_TEMPLATE = '{name}_{style}';
export const NAME_TEMPLATE_MAX = 200;

/** Tokens a template may use, with what each becomes. */
export const NAME_TOKENS = {
  name: "the photo's file name without its extension",
  style: "the style's id; a blend's ids with their percentages, e.g. starry-night-70+great-wave-30",
  size: "the export's long edge in pixels, or 'original'",
  brush: "the brush, e.g. 1024, or 'native'",
  strength: 'the strength in percent, e.g. 100',
} as const;
export type NameToken = keyof typeof NAME_TOKENS;
const TOKENS = Object.keys(NAME_TOKENS) as NameToken[];

// Path separators and characters Windows refuses in a file name; control characters too.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_RE = /[/\\<>:"|?*\u0000-\u001f]/;

function refuse(name: string, why: string, v: unknown): ParamError {
  return new ParamError(name, `Expected a template ${why} for ${name} but received ${describeValue(v)}`);
}

/**
 * Checks a name template. 'parse' trims a string; 'strict' (settings, IPC) takes it as given.
 * Refused: no {name}, an unknown token, an unbalanced brace, a path separator or a character no
 * file system accepts, a leading '.' (a hidden file the gallery would not list), over 200 characters.
 */
export function parseNameTemplate(v: unknown, name = 'nameTemplate', mode: Mode = 'parse'): string {
  if (typeof v !== 'string') throw refuse(name, 'text containing {name}', v);
  const t = mode === 'parse' ? v.trim() : v;
  if (t.length === 0 || t.length > NAME_TEMPLATE_MAX) throw refuse(name, `of 1-${NAME_TEMPLATE_MAX} characters containing {name}`, v);
  const sep = FORBIDDEN_RE.exec(t);
  if (sep) {
    const c = sep[0];
    const shown = c === '/' || c === '\\' ? `a path separator ('${c}')` : c.charCodeAt(0) < 32 ? 'a control character' : `'${c}'`;
    throw refuse(name, `without ${shown} (outputs go into the output folder)`, v);
  }
  const unknown: string[] = [];
  const rest = t.replace(/\{([^{}]*)\}/g, (_, tok: string) => {
    if (!(TOKENS as string[]).includes(tok)) unknown.push(`{${tok}}`);
    return '';
  });
  if (unknown.length) throw refuse(name, `whose tokens are among ${TOKENS.map((k) => `{${k}}`).join(', ')} (unknown: ${unknown.join(', ')})`, v);
  if (rest.includes('{') || rest.includes('}')) throw refuse(name, 'with balanced braces around each token', v);
  if (!t.includes('{name}')) throw refuse(name, 'containing {name}', v);
  if (t.startsWith('.')) throw refuse(name, "not starting with '.'", v);
  return t;
}
