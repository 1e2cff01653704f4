import { describe, expect, it, vi } from 'vitest';
import { createRawSnippet } from 'svelte';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import Modal from './Modal.svelte';
import type { Component } from 'svelte';
import AddStyleDialog from './AddStyleDialog.svelte';
import DiagnosticsDialog from './DiagnosticsDialog.svelte';
import ExportDialog from './ExportDialog.svelte';
import { AppState } from '../lib/app-state.svelte';
import { tabStops } from '../lib/focus-trap';
import { installFakeBridge, photos, SETTINGS, STYLES } from '../../../test/renderer/fake-bridge';

const body = createRawSnippet(() => ({
  render: () => '<div><h2 id="t">Title</h2><button id="a">A</button><input type="radio" name="g" value="1"><input type="radio" name="g" value="2" checked><button id="z">Z</button></div>',
}));

function setup(): { dialog: HTMLElement; onescape: ReturnType<typeof vi.fn>; opener: HTMLButtonElement; outside: HTMLButtonElement; unmount: () => void } {
  const opener = document.body.appendChild(document.createElement('button'));
  const outside = document.body.appendChild(document.createElement('button'));
  opener.focus();
  const onescape = vi.fn();
  const { unmount } = render(Modal, { labelledby: 't', testid: 'm', onescape, children: body });
  return { dialog: screen.getByRole('dialog'), onescape, opener, outside, unmount };
}

describe('Modal', () => {
  it('is a labelled modal dialog that takes focus and closes on Escape', async () => {
    const { dialog, onescape } = setup();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-labelledby')).toBe('t');
    expect(document.activeElement).toBe(dialog);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onescape).toHaveBeenCalledOnce();
  });

  it('keeps Tab and Shift+Tab inside, one stop per radio group', async () => {
    const { dialog } = setup();
    const a = screen.getByText('A');
    const z = screen.getByText('Z');
    // From the dialog itself Shift+Tab wraps to the last control.
    await fireEvent.keyDown(dialog, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(z);
    await fireEvent.keyDown(z, { key: 'Tab' });
    expect(document.activeElement).toBe(a);
    await fireEvent.keyDown(a, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(z);
    expect(tabStops(dialog).map((el) => el.id || (el as HTMLInputElement).value)).toEqual(['a', '2', 'z']);
  });

  it('pulls focus back from behind the backdrop and returns it to the opener on close', async () => {
    const { outside, opener, unmount } = setup();
    outside.focus();
    expect(document.activeElement).toBe(screen.getByText('A'));
    unmount();
    await Promise.resolve();
    expect(document.activeElement).toBe(opener);
  });

  it('does not let focus fall to the page when the focused control disappears', async () => {
    const { dialog } = setup();
    const z = screen.getByText('Z');
    z.focus();
    z.remove();
    await new Promise((r) => setTimeout(r, 5));
    expect(dialog.contains(document.activeElement)).toBe(true);
  });
});

// Every dialog renders Modal, so every dialog has its trap.
const DIALOGS: [string, Component<{ ui: AppState; onclose: () => void }>][] = [
  ['export', ExportDialog],
  ['diagnostics', DiagnosticsDialog],
  ['add style', AddStyleDialog],
];

describe.each(DIALOGS)('the %s dialog', (_name, Dialog) => {
  it('keeps Tab inside and gives focus back on close', async () => {
    installFakeBridge({
      'app:doctor': () => [{ name: 'Provider cpu', ok: true, detail: 'works' }],
      'styles:trainer': () => ({ ready: true, message: null, minutes: { min: 1, max: 10, default: 5 } }),
      'export:checkFolder': (dir) => ({ path: dir, writable: true, problem: null }),
    });
    const ui = new AppState();
    ui.styles = STYLES;
    ui.styleId = 'ember';
    ui.settings = SETTINGS;
    ui.setGallery({ root: '/p', photos: photos(2), truncated: false });
    const opener = document.body.appendChild(document.createElement('button'));
    opener.focus();
    const { unmount } = render(Dialog, { ui, onclose: () => {} });
    const dialog = screen.getByRole('dialog');
    await waitFor(() => expect(tabStops(dialog).length).toBeGreaterThan(1));
    const stops = tabStops(dialog);
    const first = stops[0]!;
    const last = stops.at(-1)!;
    last.focus();
    await fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(first);
    await fireEvent.keyDown(first, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
    unmount();
    await Promise.resolve();
    expect(document.activeElement).toBe(opener);
    opener.remove();
  });
});
