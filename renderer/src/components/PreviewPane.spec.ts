import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import PreviewPane from './PreviewPane.svelte';
import { AppState } from '../lib/app-state.svelte';
import { fakePreview, installFakeBridge, photos, STYLES } from '../../../test/renderer/fake-bridge';
import type { PreviewRequest } from '../../../electron/common/ipc-contract';

function setup(fail = false) {
  const bridge = installFakeBridge({
    'preview:render': (_photo, req: PreviewRequest) =>
      fail
        ? { ok: false, error: { code: 'io', message: "Cannot read 'img-0.jpg': corrupt header" } }
        : fakePreview({ id: `r-${req.size}`, width: req.size, height: Math.round(req.size * 0.75), ms: req.size }),
  });
  const ui = new AppState();
  ui.styles = STYLES;
  ui.styleId = 'ember';
  ui.setGallery({ root: '/p', photos: photos(2), truncated: false });
  return { bridge, ui };
}

describe('PreviewPane', () => {
  it('renders fast first, then refines at the preview size', async () => {
    const { bridge, ui } = setup();
    render(PreviewPane, { ui });
    await waitFor(() => expect(screen.getByTestId('preview-phase').textContent).toContain('1080×810'), { timeout: 3000 });
    const sizes = bridge.calls.filter((c) => c.channel === 'preview:render').map((c) => (c.args[1] as PreviewRequest).size);
    expect(sizes).toEqual([512, 1080]);
    expect((screen.getByAltText('Stylized') as HTMLImageElement).getAttribute('src')).toBe('/media/result/r-1080');
    expect((screen.getByAltText('Original') as HTMLImageElement).getAttribute('src')).toBe(`/media/photo/${encodeURIComponent('/p/img-0.jpg')}`);
    expect(ui.rates.single).not.toBeNull();
    // Every preview stands for the export: its size and the brush go with it.
    expect(bridge.calls.find((c) => c.channel === 'preview:render')?.args[1]).toMatchObject({ exportSize: 'original', brush: 1024 });
  });

  it('renders again when the brush changes', async () => {
    const { bridge, ui } = setup();
    render(PreviewPane, { ui });
    await waitFor(() => expect(screen.getByTestId('preview-phase').textContent).toContain('1080×810'), { timeout: 3000 });
    ui.brush = 2048;
    await waitFor(() => expect(bridge.calls.filter((c) => c.channel === 'preview:render').map((c) => (c.args[1] as PreviewRequest).brush)).toEqual([1024, 1024, 2048, 2048]), { timeout: 3000 });
  });

  it('never shows the result of the previous photo next to a newly selected one', async () => {
    const { ui } = setup();
    render(PreviewPane, { ui });
    await waitFor(() => expect(screen.getByTestId('preview-phase').textContent).toContain('1080×810'), { timeout: 3000 });
    ui.click(1, { range: false, toggle: false });
    // Right away: the old result is gone and the phase says it is rendering (not the old 'done' line).
    await waitFor(() => expect(screen.queryByAltText('Stylized')).toBeNull());
    expect(screen.getByTestId('preview-phase').textContent).toContain('Rendering');
    await waitFor(() => expect(screen.getByTestId('preview-phase').textContent).toContain('1080×810'), { timeout: 3000 });
    expect((screen.getByAltText('Original') as HTMLImageElement).getAttribute('src')).toBe(`/media/photo/${encodeURIComponent('/p/img-1.jpg')}`);
  });

  it('shows a failure inline and as a toast', async () => {
    const { ui } = setup(true);
    render(PreviewPane, { ui });
    await waitFor(() => expect(screen.getByTestId('preview-error').textContent).toContain("Cannot read 'img-0.jpg'"));
    expect(ui.toasts.some((t) => t.kind === 'error' && t.message.includes('Preview failed'))).toBe(true);
  });

  it('asks for a photo when none is selected', () => {
    installFakeBridge();
    const ui = new AppState();
    ui.photos = photos(2);
    ui.focus = 5;
    render(PreviewPane, { ui });
    expect(screen.getByText('Select a photo to preview it.')).toBeTruthy();
  });

  it('with no photos yet, offers Open folder, which opens one as the toolbar does', async () => {
    const bridge = installFakeBridge({ 'gallery:openFolder': () => ({ root: '/p', photos: photos(3), truncated: false }) });
    const ui = new AppState();
    render(PreviewPane, { ui });
    expect(screen.getByTestId('empty-state').textContent).toContain('Start with a folder of photos');
    await fireEvent.click(screen.getByRole('button', { name: 'Open folder…' }));
    expect(bridge.calls.map((c) => c.channel)).toContain('gallery:openFolder');
    await waitFor(() => expect(ui.photos).toHaveLength(3));
  });

  it('100% shows the export painted at its own size (the 1:1 view), not the preview enlarged', async () => {
    const { bridge, ui } = setup();
    bridge.handlers['preview:region'] = (_p: unknown, req: { rect: { x: number; y: number; width: number; height: number } }) => ({
      id: 'reg',
      rect: req.rect,
      exportWidth: 4000,
      exportHeight: 3000,
      ms: 90,
      cached: false,
    });
    render(PreviewPane, { ui });
    await waitFor(() => expect(screen.getByTestId('preview-phase').textContent).toContain('1080×810'), { timeout: 3000 });
    await fireEvent.click(screen.getByRole('button', { name: '100%' }));
    expect(screen.getByTestId('one-to-one')).toBeTruthy();
    expect(screen.queryByAltText('Stylized')).toBeNull();
    // At 100 % only the fast preview runs again (for the export's size); the view paints the rest.
    await waitFor(() => expect(bridge.calls.filter((c) => c.channel === 'preview:render').map((c) => (c.args[1] as PreviewRequest).size)).toEqual([512, 1080, 512]), { timeout: 3000 });
  });

  it('in Fit with the native brush, says that fit cannot show native strokes', async () => {
    const { ui } = setup();
    ui.brush = 'native';
    render(PreviewPane, { ui });
    await waitFor(() => expect(screen.getByTestId('native-note').textContent).toContain('Fit cannot show native strokes'), { timeout: 3000 });
    ui.brush = 1024;
    await waitFor(() => expect(screen.queryByTestId('native-note')).toBeNull());
  });
});
