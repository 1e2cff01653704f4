import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import SideBySide from './SideBySide.svelte';
import { AppState } from '../lib/app-state.svelte';
import { fakePreview, installFakeBridge, photos, STYLES } from '../../../test/renderer/fake-bridge';
import type { PreviewRequest } from '../../../electron/common/ipc-contract';

describe('SideBySide', () => {
  it('renders one tile per chosen style, one after another; click picks the style', async () => {
    const order: string[] = [];
    installFakeBridge({
      'preview:render': (_p, req: PreviewRequest) => {
        order.push(String(req.style));
        return fakePreview({ id: `r-${String(req.style)}`, width: 512, height: 384, ms: 100 });
      },
      'settings:set': () => ({}) as never,
    });
    const ui = new AppState();
    ui.styles = STYLES;
    ui.styleId = 'ember';
    ui.compareStyles = ['ember', 'tide', 'solo'];
    ui.setGallery({ root: '/p', photos: photos(1), truncated: false });
    render(SideBySide, { ui });
    const tiles = screen.getAllByTestId('sbs-tile');
    expect(tiles).toHaveLength(3);
    await waitFor(() => expect(document.querySelectorAll('[data-ready="true"]').length).toBe(3));
    expect(order).toEqual(['ember', 'tide', 'solo']);
    await fireEvent.click(tiles[1]!);
    expect(ui.styleId).toBe('tide');
    expect(tiles[1]!.getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByRole('button', { name: 'Solo' }));
    expect(ui.compareStyles).toEqual(['ember', 'tide']);
  });

  it('shows a per-tile error', async () => {
    installFakeBridge({ 'preview:render': () => ({ ok: false, error: { code: 'engine', message: 'model broke' } }) });
    const ui = new AppState();
    ui.styles = STYLES;
    ui.compareStyles = ['ember'];
    ui.setGallery({ root: '/p', photos: photos(1), truncated: false });
    render(SideBySide, { ui });
    await waitFor(() => expect(screen.getByText('model broke')).toBeTruthy());
  });
});
