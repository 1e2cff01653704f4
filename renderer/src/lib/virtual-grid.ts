// Virtualized grid geometry (pure): only rows near the viewport are rendered.

export interface GridLayout {
  cols: number;
  cell: number;
  rowHeight: number;
  rows: number;
  height: number;
}

export function gridLayout(width: number, count: number, minCell = 132, gap = 8): GridLayout {
  const w = Math.max(width, minCell);
  const cols = Math.max(1, Math.floor((w + gap) / (minCell + gap)));
  const cell = Math.floor((w - gap * (cols - 1)) / cols);
  const rowHeight = cell + gap;
  const rows = Math.ceil(count / cols);
  return { cols, cell, rowHeight, rows, height: Math.max(0, rows * rowHeight - gap) };
}

export function visibleRows(scrollTop: number, viewport: number, layout: GridLayout, overscan = 2): { first: number; last: number } {
  if (layout.rows === 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(scrollTop / layout.rowHeight) - overscan);
  const last = Math.min(layout.rows - 1, Math.ceil((scrollTop + viewport) / layout.rowHeight) + overscan);
  return { first, last };
}

/** scrollTop that brings row `row` fully into view, or null if it already is. */
export function scrollIntoView(row: number, scrollTop: number, viewport: number, layout: GridLayout): number | null {
  const top = row * layout.rowHeight;
  const bottom = top + layout.cell;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return bottom - viewport;
  return null;
}
