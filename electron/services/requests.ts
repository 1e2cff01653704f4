// Validators of the IPC request objects (preview and export): every field checked, unknown keys
// refused, paths only inside what the user opened since the app started.

import type { ExportRequest, PreviewRequest, RegionRequest, StyleThumbRequest } from '../common/ipc-contract.js';
import type { StyleCatalog } from '../common/styles.js';
import type { AllowedRoots } from './roots.js';
import { checkBoolean, parseBrush, parseFormat, parseNameTemplate, parsePreviewSize, parseQuality, parseRect, parseSize, parseStrength } from '../common/params.js';
import { absPath, ArgError, array, fail, knownKeys, plainObject, styleRef } from './validate.js';

export function validatePreviewRequest(v: unknown, known: StyleCatalog): PreviewRequest {
  const o = plainObject(v, 'preview request');
  knownKeys(o, ['style', 'size', 'exportSize', 'brush', 'strength', 'preserveColors'], 'preview request');
  return { style: styleRef(o.style, known, 'style'), size: parsePreviewSize(o.size, 'size', 'strict'), ...paintedExport(o) };
}

/** The export a preview or 1:1 view stands for, as both requests give it. */
function paintedExport(o: Record<string, unknown>): Pick<PreviewRequest, 'exportSize' | 'brush' | 'strength' | 'preserveColors'> {
  return {
    exportSize: parseSize(o.exportSize, 'exportSize', 'strict'),
    brush: parseBrush(o.brush, 'brush', 'strict'),
    strength: parseStrength(o.strength, 'strength', 'strict'),
    preserveColors: checkBoolean('preserveColors', o.preserveColors, 'strict'),
  };
}

/** Styles of one export (the side-by-side view shows at most this many). */
export const EXPORT_STYLES_MAX = 12;

export function validateRegionRequest(v: unknown, known: StyleCatalog): RegionRequest {
  const o = plainObject(v, 'region request');
  knownKeys(o, ['style', 'exportSize', 'brush', 'strength', 'preserveColors', 'rect'], 'region request');
  return { style: styleRef(o.style, known, 'style'), ...paintedExport(o), rect: parseRect(o.rect, 'rect', 'strict') };
}

export function validateExportRequest(v: unknown, known: StyleCatalog, roots: AllowedRoots): ExportRequest {
  const o = plainObject(v, 'export request');
  knownKeys(o, ['files', 'folders', 'outDir', 'recursive', 'skipExisting', 'nameTemplate', 'styles', 'contactSheet', 'options'], 'export request');
  const files = array(o.files, 100_000, 'files').map((f, i) => allowedPath(roots, f, `files[${i}]`));
  const folders = array(o.folders, 256, 'folders').map((f, i) => allowedPath(roots, f, `folders[${i}]`));
  if (files.length + folders.length === 0) fail('Expected at least one photo or folder to export');
  const outDir = absPath(o.outDir, 'outDir');
  if (!roots.containsDir(outDir)) throw new ArgError(`Output folder '${outDir}' was not chosen with the folder dialog; choose it there first`, 'not-allowed');
  const opt = plainObject(o.options, 'options');
  knownKeys(opt, ['style', 'size', 'brush', 'strength', 'preserveColors', 'format', 'quality', 'keepMetadata', 'stripGps'], 'options');
  return {
    files,
    folders,
    outDir,
    recursive: checkBoolean('recursive', o.recursive, 'strict'),
    skipExisting: checkBoolean('skipExisting', o.skipExisting, 'strict'),
    ...(o.nameTemplate === undefined ? {} : { nameTemplate: parseNameTemplate(o.nameTemplate, 'nameTemplate', 'strict') }),
    ...(o.contactSheet === undefined ? {} : { contactSheet: checkBoolean('contactSheet', o.contactSheet, 'strict') }),
    ...(o.styles === undefined ? {} : { styles: array(o.styles, EXPORT_STYLES_MAX, 'styles').map((s, i) => styleRef(s, known, `styles[${i}]`)) }),
    options: {
      style: styleRef(opt.style, known, 'style'),
      size: parseSize(opt.size, 'size', 'strict'),
      brush: parseBrush(opt.brush, 'brush', 'strict'),
      strength: parseStrength(opt.strength, 'strength', 'strict'),
      preserveColors: checkBoolean('preserveColors', opt.preserveColors, 'strict'),
      format: parseFormat(opt.format, 'format', 'strict'),
      quality: parseQuality(opt.quality, 'quality', 'strict'),
      keepMetadata: checkBoolean('keepMetadata', opt.keepMetadata, 'strict'),
      stripGps: checkBoolean('stripGps', opt.stripGps, 'strict'),
    },
  };
}

/** A path the user opened since the app started (realpath), or an ArgError. */
/** Style thumbnails: on a photo the user opened (or null: the sample photo), at a brush and export size. */
export function validateThumbRequest(v: unknown, roots: AllowedRoots): StyleThumbRequest {
  const o = plainObject(v, 'thumbnail request');
  knownKeys(o, ['photo', 'brush', 'exportSize'], 'thumbnail request');
  return {
    photo: o.photo === null ? null : allowedPath(roots, o.photo, 'photo'),
    brush: parseBrush(o.brush, 'brush', 'strict'),
    exportSize: parseSize(o.exportSize, 'exportSize', 'strict'),
  };
}

export function allowedPath(roots: AllowedRoots, v: unknown, what: string): string {
  const p = absPath(v, what);
  const real = roots.resolve(p);
  if (real === null) throw new ArgError(`Path for ${what} is outside the folders and files you opened: '${p}'`, 'not-allowed');
  return real;
}
