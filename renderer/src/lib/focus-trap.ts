// One focus trap for every modal dialog (a Svelte attachment: `{@attach focusTrap()}`).
// While a dialog is open, Tab and Shift+Tab cycle through its own controls, focus that lands
// outside it (a click on the backdrop, a control removed under the keyboard) comes back inside,
// and on close focus returns to the control that opened it. Traps stack: only the newest one acts.

import type { Attachment } from 'svelte/attachments';

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
  '[contenteditable="true"]',
].join(',');

/** The Tab stops inside `root`, in document order (one per radio group, as the browser has it). */
export function tabStops(root: HTMLElement): HTMLElement[] {
  const all = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.matches(':disabled') && el.tabIndex >= 0 && !el.closest('[inert]') && (el.checkVisibility?.() ?? true));
  return all.filter((el) => {
    if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || !el.name) return true;
    const group = all.filter((o): o is HTMLInputElement => o instanceof HTMLInputElement && o.type === 'radio' && o.name === el.name);
    const checked = group.find((o) => o.checked);
    return checked ? checked === el : group[0] === el;
  });
}

const stack: HTMLElement[] = [];

export interface FocusTrapOptions {
  /** The control to focus on open; default the dialog itself (it has tabindex="-1"). */
  initial?: () => HTMLElement | null;
}

export function focusTrap(opts: FocusTrapOptions = {}): Attachment<HTMLElement> {
  return (node) => {
    const opener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
    stack.push(node);
    const top = (): boolean => stack.at(-1) === node;
    const landing = (): HTMLElement => tabStops(node)[0] ?? node;
    (opts.initial?.() ?? node).focus();

    const keydown = (e: KeyboardEvent): void => {
      if (e.key !== 'Tab' || !top()) return;
      const stops = tabStops(node);
      if (stops.length === 0) {
        e.preventDefault();
        node.focus();
        return;
      }
      const first = stops[0] as HTMLElement;
      const last = stops.at(-1) as HTMLElement;
      const active = document.activeElement;
      const inside = active instanceof Node && node.contains(active);
      if (e.shiftKey && (!inside || active === first || active === node)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (!inside || active === last)) {
        e.preventDefault();
        first.focus();
      }
    };
    // Focus moved outside (a click behind the dialog, the page's own code): bring it back.
    const focusin = (e: FocusEvent): void => {
      if (!top() || !(e.target instanceof Node) || node.contains(e.target)) return;
      landing().focus();
    };
    // The focused control was removed or disabled (a finished export swaps its buttons): without
    // this, focus falls to <body> and the dialog's keys (Escape) stop working. Browsers do not
    // reliably send focusout for a removed element, so watch the dialog's own changes.
    const rescue = (): void => {
      if (!top() || !node.isConnected) return;
      const a = document.activeElement;
      if (a === null || a === document.body) landing().focus();
    };
    const observer = new MutationObserver(rescue);
    observer.observe(node, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled', 'hidden', 'inert'] });
    document.addEventListener('keydown', keydown, true);
    document.addEventListener('focusin', focusin);
    return () => {
      document.removeEventListener('keydown', keydown, true);
      document.removeEventListener('focusin', focusin);
      observer.disconnect();
      const i = stack.lastIndexOf(node);
      if (i >= 0) stack.splice(i, 1);
      // Back to the opener, unless the user has since put focus somewhere else on purpose.
      const a = document.activeElement;
      if (opener?.isConnected && (a === null || a === document.body || node.contains(a))) queueMicrotask(() => opener.focus());
    };
  };
}
