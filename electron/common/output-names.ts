// Output file names from a template such as '{name}_{style}': every export names its style, so
// one photo painted in two styles gives two files (Upscayl names its outputs the same way:
// name_upscayl_4x_model). Pure: the CLI, the engine, the settings and the export dialog share it.
import { describeValue, ParamError, type Mode } from './params.js';
import type { Brush, SizeChoice, StyleBlend } from './types.js';

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

/** What the tokens of one export become. */
export interface NameParts {
  /** The photo's file name without its extension. */
  name: string;
  style: string | StyleBlend;
  size: SizeChoice;
  brush: Brush;
  strength: number;
}

/** A style's part of a name: its id, or a blend's ids with their shares in percent. */
export function styleLabel(style: string | StyleBlend): string {
  if (typeof style === 'string') return style;
  const entries = Object.entries(style);
  if (entries.length === 1) return (entries[0] as [string, number])[0];
  const total = entries.reduce((a, [, w]) => a + w, 0);
  return entries.map(([id, w]) => `${id}-${Math.round((100 * w) / (total || 1))}`).join('+');
}

const utf8 = new TextEncoder();
const bytes = (s: string): number => utf8.encode(s).length;

/**
 * The output's name without its extension, at most `maxBytes` UTF-8 bytes (file systems refuse
 * names over 255): a long photo name is shortened first, so the style stays in the name.
 */
export function renderNameTemplate(template: string, p: NameParts, maxBytes = Infinity): string {
  const values: Record<NameToken, string> = {
    name: p.name,
    style: styleLabel(p.style),
    size: String(p.size),
    brush: String(p.brush),
    strength: String(Math.round(p.strength * 100)),
  };
  const render = (name: string): string => template.replace(/\{([a-z]+)\}/g, (m, tok: string) => (tok === 'name' ? name : Object.hasOwn(values, tok) ? values[tok as NameToken] : m));
  let out = render(p.name);
  if (bytes(out) <= maxBytes) return out;
  const chars = [...p.name];
  while (chars.length > 1 && bytes((out = render(chars.join('')))) > maxBytes) chars.pop();
  const all = [...out];
  while (all.length > 1 && bytes(all.join('')) > maxBytes) all.pop();
  return all.join('');
}
