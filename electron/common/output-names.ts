// Output file names from a template such as '{name}_{style}': every export names its style, so
// one photo painted in two styles gives two files (Upscayl names its outputs the same way:
// name_upscayl_4x_model). Pure; the template's check is in params.ts with every other value's.
import type { NameToken } from './params.js';

export { DEFAULT_NAME_TEMPLATE, NAME_TEMPLATE_MAX, NAME_TOKENS, parseNameTemplate, type NameToken } from './params.js';
import type { Brush, SizeChoice, StyleBlend } from './types.js';

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
