// An export of several styles (the side-by-side view's) runs the engine's batch once per style,
// one after another into the same folder: each output is named by the template, so each style's
// file keeps its own name. Progress and the report cover all of them; a contact sheet of the
// photos x styles can follow.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeContactSheet, type SheetTile } from './contact-sheet.js';
import type { BatchProgress, BatchReport, FileResult, StyleBlend, StyleInfo, StylizeOptions } from '../common/types.js';
import type { EnginePort } from './engine-port.js';

/** Rows of a contact sheet: more photos than this are left off it (the files are all written). */
export const SHEET_PHOTOS_MAX = 60;
/** Widest contact sheet, in pixels: tiles shrink to fit the columns. */
const SHEET_WIDTH_MAX = 8000;

type BatchOpts = Parameters<EnginePort['runBatch']>[2];

export async function runExport(
  engine: EnginePort,
  inputs: string[],
  outDir: string,
  opts: BatchOpts,
  req: { styles?: readonly (string | StyleBlend)[] | undefined; contactSheet?: boolean | undefined },
  onProgress: (p: BatchProgress) => void,
  signal?: AbortSignal,
): Promise<BatchReport> {
  const list: StylizeOptions['style'][] = req.styles && req.styles.length > 0 ? [...req.styles] : [opts.style];
  const perStyle: FileResult[][] = [];
  const files: FileResult[] = [];
  let device: BatchReport['device'] = null;
  let done = 0;
  for (const [k, style] of list.entries()) {
    const left = list.length - k - 1;
    const r = await engine.runBatch(
      inputs,
      outDir,
      { ...opts, style },
      (p) => {
        // The styles still to come take as long per photo as this one is taking.
        const perFile = p.etaMs !== null && p.total > p.done ? p.etaMs / (p.total - p.done) : null;
        onProgress({ done: done + p.done, total: p.total * list.length, current: p.current, etaMs: p.etaMs === null || perFile === null ? p.etaMs : Math.round(p.etaMs + left * p.total * perFile) });
      },
      signal,
    );
    files.push(...r.files);
    perStyle.push(r.files);
    done += r.files.length;
    device = r.device ?? device;
    if (r.cancelled || (r as { stoppedReason?: string }).stoppedReason) return { ...r, files, device };
  }
  const report: BatchReport = { files, device, cancelled: false };
  if (req.contactSheet) {
    const sheet = await writeSheet(outDir, list, perStyle, engine.styles());
    if (sheet) report.contactSheet = sheet;
  }
  return report;
}

function styleTitle(style: StylizeOptions['style'], styles: readonly StyleInfo[]): string {
  const title = (id: string): string => styles.find((s) => s.id === id)?.title ?? id;
  if (typeof style === 'string') return title(style);
  const entries = Object.entries(style);
  const total = entries.reduce((a, [, w]) => a + w, 0) || 1;
  return entries.map(([id, w]) => `${title(id)} ${Math.round((100 * w) / total)}%`).join(' + ');
}

/** The sheet beside the exports: a row per photo (the photo, then each style); never replaces a file. */
async function writeSheet(outDir: string, list: readonly StylizeOptions['style'][], perStyle: readonly FileResult[][], styles: readonly StyleInfo[]): Promise<string | null> {
  const photos = [...new Set(perStyle.flat().map((f) => f.input))].slice(0, SHEET_PHOTOS_MAX);
  if (photos.length === 0) return null;
  const tiles: SheetTile[] = [];
  for (const input of photos) {
    tiles.push({ file: input, label: path.basename(input) });
    for (const [k, style] of list.entries()) {
      const f = perStyle[k]?.find((x) => x.input === input);
      tiles.push({ file: f?.output && f.status !== 'failed' ? f.output : null, label: styleTitle(style, styles) });
    }
  }
  let out = path.join(outDir, 'contact-sheet.jpg');
  for (let n = 2; existsSync(out); n++) out = path.join(outDir, `contact-sheet-${n}.jpg`);
  const columns = list.length + 1;
  await writeContactSheet(tiles, out, { columns, tileWidth: Math.min(400, Math.floor(SHEET_WIDTH_MAX / columns) - 8) });
  return out;
}
