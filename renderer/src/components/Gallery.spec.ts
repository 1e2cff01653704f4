import { describe, expect, it, beforeEach } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import Gallery from './Gallery.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge, photos } from '../../../test/renderer/fake-bridge';

describe('Gallery', () => {
  let ui: AppState;
  beforeEach(() => {
    installFakeBridge();
    ui = new AppState();
  });

  it('shows an empty state without photos', () => {
    render(Gallery, { ui });
    expect(screen.getByText('No photos yet')).toBeTruthy();
  });

  it('virtualizes: only rows near the viewport are in the DOM for 5,000 photos', () => {
    ui.setGallery({ root: '/p', photos: photos(5000), truncated: false });
    render(Gallery, { ui });
    const cells = screen.getAllByRole('option');
    expect(cells.length).toBeGreaterThan(0);
    expect(cells.length).toBeLessThan(100);
  });

  it('renders hostile file names as text', () => {
    ui.setGallery({ root: '/p', photos: [{ path: '/p/x.jpg', name: '<img src=x onerror=alert(1)>.jpg', rel: 'x', bytes: 1, mtimeMs: 0 }], truncated: false });
    const { container } = render(Gallery, { ui });
    expect(screen.getByText('<img src=x onerror=alert(1)>.jpg')).toBeTruthy();
    expect(container.querySelector('img[src="x"]')).toBeNull();
  });

  it('click, ctrl+click and shift+click select; arrows move; ctrl+A selects all', async () => {
    ui.setGallery({ root: '/p', photos: photos(10), truncated: false });
    render(Gallery, { ui });
    const opt = (i: number): HTMLElement => document.getElementById(`photo-${i}`)!;
    await fireEvent.click(opt(1));
    expect([...ui.selected]).toEqual([1]);
    await fireEvent.click(opt(3), { ctrlKey: true });
    expect([...ui.selected].sort()).toEqual([1, 3]);
    await fireEvent.click(opt(5), { shiftKey: true });
    expect([...ui.selected].sort()).toEqual([3, 4, 5]);
    const grid = screen.getByRole('listbox');
    await fireEvent.keyDown(grid, { key: 'ArrowRight' });
    expect(ui.focus).toBe(6);
    expect(grid.getAttribute('aria-activedescendant')).toBe('photo-6');
    await fireEvent.keyDown(grid, { key: 'a', ctrlKey: true });
    expect(ui.selected.size).toBe(10);
  });

  it('Enter switches to the preview', async () => {
    ui.setGallery({ root: '/p', photos: photos(3), truncated: false });
    ui.view = 'compare';
    let opened = false;
    render(Gallery, { ui, onopen: () => (opened = true) });
    await fireEvent.keyDown(screen.getByRole('listbox'), { key: 'Enter' });
    expect(ui.view).toBe('preview');
    expect(opened).toBe(true);
  });
});
