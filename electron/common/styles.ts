// A style or blend checked against the styles loaded: the one place for the rules of a blend
// (known ids, at most BLEND_STYLES, one model, a model of one style not blended, weights >= 0
// summing to more than 0). The engine turns the result into its model's weights vector; the IPC
// handlers check requests with it before they reach the engine.

import { BLEND_STYLES, invalid, ParamError } from './params.js';
import type { StyleBlend } from './types.js';

export interface CatalogEntry {
  model: string;
  /** Index of the style in its model's style input. */
  index: number;
  /** Its model holds more than one style, so it can be blended. */
  multi: boolean;
}

/** The loaded styles by id. */
export type StyleCatalog = ReadonlyMap<string, CatalogEntry>;

export function styleCatalog(styles: readonly { id: string; model: string; index: number }[]): StyleCatalog {
  const perModel = new Map<string, number>();
  for (const s of styles) perModel.set(s.model, (perModel.get(s.model) ?? 0) + 1);
  return new Map(styles.map((s) => [s.id, { model: s.model, index: s.index, multi: (perModel.get(s.model) ?? 0) > 1 }]));
}

export interface ResolvedRef {
  model: string;
  /** Each style of the reference with its weight as given (not normalized). */
  parts: { id: string; index: number; weight: number }[];
}

/**
 * Checks a style id or blend against the catalog. `unknown` makes the error for an id that is not
 * loaded (the engine lists what is available; IPC answers 'not-found').
 */
export function resolveStyle(catalog: StyleCatalog, style: string | StyleBlend, unknown: (id: string) => Error, name = 'style'): ResolvedRef {
  const entries = typeof style === 'string' ? [[style, 1] as const] : Object.entries(style);
  if (entries.length < BLEND_STYLES.min || entries.length > BLEND_STYLES.max) {
    throw new ParamError(name, `Expected ${BLEND_STYLES.min} to ${BLEND_STYLES.max} styles in the blend for ${name} but received ${entries.length}`);
  }
  let model: string | null = null;
  let total = 0;
  const parts: ResolvedRef['parts'] = [];
  for (const [id, weight] of entries) {
    const s = catalog.get(id);
    if (!s) throw unknown(id);
    if (entries.length > 1 && !s.multi) throw new ParamError(name, `Style '${id}' cannot be blended: its model has a single style`);
    if (model !== null && s.model !== model) throw new ParamError(name, `Expected styles of one model for ${name}, but '${id}' belongs to '${s.model}' and not '${model}'`);
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) throw invalid(`${name} weight of '${id}'`, 'number of at least 0', weight);
    model = s.model;
    total += weight;
    parts.push({ id, index: s.index, weight });
  }
  if (model === null) throw new ParamError(name, 'No style given');
  if (total <= 0) throw new ParamError(name, `Expected blend weights of ${name} to sum to more than 0`);
  return { model, parts };
}
