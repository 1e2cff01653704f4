import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import StylePicker from './StylePicker.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge, STYLES } from '../../../test/renderer/fake-bridge';

const grid = () => within(screen.getByRole('listbox', { name: 'Painting style' }));

describe('StylePicker', () => {
  it('lists styles with title and artist, loads their thumbnails one by one', async () => {
    const bridge = installFakeBridge({ 'styles:thumbnail': (id) => id });
    const ui = new AppState();
    ui.styles = STYLES;
    ui.styleId = 'ember';
    render(StylePicker, { ui });
    expect(grid().getByRole('option', { name: /Tide/ }).textContent).toContain('Tide');
    expect(screen.getByText('B. Painter, 1890')).toBeTruthy();
    await waitFor(() => expect(document.querySelectorAll('.thumb img').length).toBe(3));
    expect(bridge.calls.filter((c) => c.channel === 'styles:thumbnail').map((c) => c.args[0])).toEqual(['ember', 'tide', 'solo']);
    // No photo selected: the sample photo, at the brush and export size.
    expect(bridge.calls.find((c) => c.channel === 'styles:thumbnail')?.args[1]).toEqual({ photo: null, brush: 1024, exportSize: 'original' });
    expect((document.querySelector('.thumb img') as HTMLImageElement).getAttribute('src')).toBe('/media/style/ember');
  });

  it('renders the thumbnails again on the selected photo and for a new brush', async () => {
    const bridge = installFakeBridge({ 'styles:thumbnail': (id, req) => `${id}-${String(req.brush)}` });
    const ui = new AppState();
    ui.styles = STYLES;
    ui.photos = [{ path: '/p/a.jpg', name: 'a.jpg', rel: 'a.jpg', bytes: 1, mtimeMs: 1 }];
    render(StylePicker, { ui });
    await waitFor(() => expect(document.querySelectorAll('.thumb img').length).toBe(3));
    expect(bridge.calls.find((c) => c.channel === 'styles:thumbnail')?.args[1]).toEqual({ photo: '/p/a.jpg', brush: 1024, exportSize: 'original' });
    expect(screen.getByTestId('thumb-note').textContent).toContain('on a detail of this photo');
    ui.brush = 'native';
    await waitFor(() => expect((document.querySelector('.thumb img') as HTMLImageElement).getAttribute('src')).toBe('/media/style/ember-native'));
    expect(bridge.calls.filter((c) => c.channel === 'styles:thumbnail')).toHaveLength(6);
  });

  it('offers a blend only with styles of the same multi-style model', async () => {
    installFakeBridge({ 'styles:thumbnail': (id) => id });
    const ui = new AppState();
    ui.styles = STYLES;
    ui.styleId = 'ember';
    render(StylePicker, { ui });
    const select = screen.getByLabelText('Blend with another style') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(['None', 'Tide']);
    await fireEvent.change(select, { target: { value: 'tide' } });
    expect(ui.blendWith).toBe('tide');
    expect(ui.styleSpec).toEqual({ ember: 0.5, tide: 0.5 });
    await fireEvent.click(grid().getByRole('option', { name: /Solo/ }));
    expect(ui.styleId).toBe('solo');
    expect(ui.blendWith).toBeNull();
    expect(screen.queryByLabelText('Blend with another style')).toBeNull();
  });

  it('strength and preserve colours are saved', async () => {
    const bridge = installFakeBridge({ 'styles:thumbnail': (id) => id, 'settings:set': () => ({}) as never });
    const ui = new AppState();
    ui.styles = STYLES;
    render(StylePicker, { ui });
    await fireEvent.click(screen.getByLabelText('Preserve photo colours'));
    expect(ui.preserveColors).toBe(true);
    expect(bridge.calls.find((c) => c.channel === 'settings:set')?.args[0]).toEqual({ strength: 1, preserveColors: true });
  });

  it('marks your styles, renames and deletes them (never a built-in one), and opens the add dialog', async () => {
    const mine = { ...STYLES[1]!, id: 'mine', title: 'My painting', source: 'user' as const };
    const bridge = installFakeBridge({
      'styles:thumbnail': (id) => id,
      'styles:rename': (_id, title) => ({ styles: [STYLES[0]!, { ...mine, title }], errors: [] }),
      'styles:remove': () => ({ styles: [STYLES[0]!], errors: [] }),
      'styles:trainer': () => ({ ready: true, message: null, minutes: { min: 0.5, max: 600, default: 10 } }),
    });
    const ui = new AppState();
    ui.styles = [STYLES[0]!, mine];
    ui.styleId = 'ember';
    render(StylePicker, { ui });
    expect(
      grid()
        .getByRole('option', { name: /My painting/ })
        .querySelector('.yours')?.textContent,
    ).toBe('yours');
    expect(grid().getByRole('option', { name: /Ember/ }).querySelector('.yours')).toBeNull();
    // A built-in style offers neither.
    expect(screen.queryByTestId('your-style')).toBeNull();
    await fireEvent.click(grid().getByRole('option', { name: /My painting/ }));
    await fireEvent.click(screen.getByRole('button', { name: 'Rename…' }));
    await fireEvent.input(screen.getByLabelText('New title'), { target: { value: 'Sea study' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(ui.styleById.get('mine')?.title).toBe('Sea study'));
    expect(bridge.calls.find((c) => c.channel === 'styles:rename')?.args).toEqual(['mine', 'Sea study']);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    expect(screen.getByTestId('your-style').textContent).toContain('Delete “Sea study”?');
    await fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(ui.styles.map((s) => s.id)).toEqual(['ember']));
    expect(ui.styleId).toBe('ember');
    await fireEvent.click(screen.getByRole('button', { name: 'Add painting as a style…' }));
    expect(screen.getByTestId('add-style-dialog')).toBeTruthy();
  });

  it('is one Tab stop: arrows, Home and End move in the grid, Enter and Space pick', async () => {
    installFakeBridge({ 'styles:thumbnail': (id) => id });
    const ui = new AppState();
    ui.styles = [...STYLES, { ...STYLES[0]!, id: 'dusk', index: 2, title: 'Dusk' }];
    ui.styleId = 'tide';
    render(StylePicker, { ui });
    const tiles = grid().getAllByRole('option');
    expect(screen.getByRole('listbox', { name: 'Painting style' })).toBeTruthy();
    // Only the chosen tile is in the Tab order.
    expect(tiles.map((t) => t.tabIndex)).toEqual([-1, 0, -1, -1]);
    expect(tiles[1]!.getAttribute('aria-selected')).toBe('true');
    tiles[1]!.focus();
    await fireEvent.keyDown(tiles[1]!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(tiles[3]);
    expect(ui.styleId).toBe('tide');
    await fireEvent.keyDown(tiles[3]!, { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(tiles[2]);
    await fireEvent.keyDown(tiles[2]!, { key: 'Home' });
    expect(document.activeElement).toBe(tiles[0]);
    await fireEvent.keyDown(tiles[0]!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(tiles[0]);
    await fireEvent.keyDown(tiles[0]!, { key: 'End' });
    expect(document.activeElement).toBe(tiles[3]);
    expect(tiles.map((t) => t.tabIndex)).toEqual([-1, -1, -1, 0]);
    await fireEvent.keyDown(tiles[3]!, { key: 'Enter' });
    expect(ui.styleId).toBe('dusk');
    await fireEvent.keyDown(tiles[3]!, { key: 'ArrowLeft' });
    await fireEvent.keyDown(tiles[2]!, { key: ' ' });
    expect(ui.styleId).toBe('solo');
  });

  it('shows a long title whole, and names each side of the blend mix', async () => {
    installFakeBridge({ 'styles:thumbnail': (id) => id });
    const ui = new AppState();
    const long = 'The Starry Night over the Rhône, with Two Lovers in the Foreground';
    ui.styles = [{ ...STYLES[0]!, title: long }, STYLES[1]!];
    ui.styleId = 'ember';
    render(StylePicker, { ui });
    const tile = grid().getByRole('option', { name: new RegExp(long) });
    expect(tile.querySelector('.title')?.textContent).toBe(long);
    expect(tile.getAttribute('title')).toContain(long);
    await fireEvent.change(screen.getByLabelText('Blend with another style'), { target: { value: 'tide' } });
    ui.mix = 0.3;
    await waitFor(() => expect(screen.getByTestId('mix').textContent).toBe(`${long} 70 % · Tide 30 %`));
    expect(screen.getByLabelText('Blend mix').getAttribute('aria-valuetext')).toBe(`${long} 70 % · Tide 30 %`);
  });
});
