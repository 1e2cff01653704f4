import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import Toasts from './Toasts.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge } from '../../../test/renderer/fake-bridge';

describe('Toasts', () => {
  it('shows errors as alerts and dismisses them', async () => {
    installFakeBridge();
    const ui = new AppState();
    render(Toasts, { ui });
    ui.toast('error', 'Preview failed: <b>boom</b>');
    ui.toast('info', 'Saved');
    flushSync();
    expect(screen.getByRole('alert').textContent).toContain('Preview failed: <b>boom</b>');
    expect(screen.getByRole('status').textContent).toContain('Saved');
    await fireEvent.click(screen.getAllByLabelText('Dismiss')[0]!);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
