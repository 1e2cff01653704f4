// The export dialog's example name: what a template gives for the photo in view. Main names the
// files (electron/common/output-names.ts) and checks the template (settings:set); the page only
// imports types from there, so this mirrors the rendering for display.
import type { Brush, SizeChoice, StyleBlend } from '../../../electron/common/types';

function styleLabel(style: string | StyleBlend): string {
  if (typeof style === 'string') return style;
  const entries = Object.entries(style);
  if (entries.length === 1) return entries[0]![0];
  const total = entries.reduce((a, [, w]) => a + w, 0) || 1;
  return entries.map(([id, w]) => `${id}-${Math.round((100 * w) / total)}`).join('+');
}

export function exampleName(template: string, p: { name: string; style: string | StyleBlend; size: SizeChoice; brush: Brush; strength: number }, ext: string): string {
  const values: Record<string, string> = { name: p.name, style: styleLabel(p.style), size: String(p.size), brush: String(p.brush), strength: String(Math.round(p.strength * 100)) };
  return `${template.replace(/\{([a-z]+)\}/g, (m, t: string) => values[t] ?? m)}.${ext}`;
}
