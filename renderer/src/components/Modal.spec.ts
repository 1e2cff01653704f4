import { describe, expect, it, vi } from 'vitest';
import { createRawSnippet } from 'svelte';
import { fireEvent, render, screen } from '@testing-library/svelte';
import Modal from './Modal.svelte';

describe('Modal', () => {
  it('is a labelled modal dialog that takes focus and closes on Escape', async () => {
    const onescape = vi.fn();
    const children = createRawSnippet(() => ({ render: () => '<h2 id="t">Title</h2>' }));
    render(Modal, { labelledby: 't', testid: 'm', onescape, children });
    const dialog = screen.getByRole('dialog');
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-labelledby')).toBe('t');
    expect(document.activeElement).toBe(dialog);
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(onescape).toHaveBeenCalledOnce();
  });
});
