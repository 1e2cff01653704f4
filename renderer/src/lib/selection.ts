// Gallery selection rules (pure): click, Ctrl/Cmd+click toggle, Shift+click range.

export interface Selection {
  selected: Set<number>;
  anchor: number;
  focus: number;
}

export interface Modifiers {
  toggle: boolean;
  range: boolean;
}

export function range(a: number, b: number): number[] {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

export function select(sel: Selection, index: number, mods: Modifiers): Selection {
  if (mods.range) {
    const base = mods.toggle ? new Set(sel.selected) : new Set<number>();
    for (const i of range(sel.anchor, index)) base.add(i);
    return { selected: base, anchor: sel.anchor, focus: index };
  }
  if (mods.toggle) {
    const next = new Set(sel.selected);
    if (next.has(index)) next.delete(index);
    else next.add(index);
    return { selected: next, anchor: index, focus: index };
  }
  return { selected: new Set([index]), anchor: index, focus: index };
}

export function selectAll(count: number, focus: number): Selection {
  return { selected: count > 0 ? new Set(range(0, count - 1)) : new Set(), anchor: 0, focus };
}

/** Keyboard move in a grid of `cols` columns; returns the new focus index. */
export function move(focus: number, key: string, cols: number, count: number, pageRows: number): number | null {
  if (count === 0) return null;
  const last = count - 1;
  switch (key) {
    case 'ArrowLeft':
      return Math.max(0, focus - 1);
    case 'ArrowRight':
      return Math.min(last, focus + 1);
    case 'ArrowUp':
      return focus - cols >= 0 ? focus - cols : focus;
    case 'ArrowDown':
      return focus + cols <= last ? focus + cols : focus;
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'PageUp':
      return Math.max(0, focus - cols * pageRows);
    case 'PageDown':
      return Math.min(last, focus + cols * pageRows);
    default:
      return null;
  }
}
