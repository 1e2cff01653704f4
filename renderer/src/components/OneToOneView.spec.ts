import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import OneToOneView from './OneToOneView.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge, photos, STYLES } from '../../../test/renderer/fake-bridge';
import type { RegionRequest } from '../../../electron/common/ipc-contract';

// jsdom lays nothing out: give every element a 600x400 box so the view knows its size.
const saved = {
  w: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientWidth'),
  h: Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight'),
};
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 400 });
});
afterAll(() => {
  if (saved.w) Object.defineProperty(HTMLElement.prototype, 'clientWidth', saved.w);
  if (saved.h) Object.defineProperty(HTMLElement.prototype, 'clientHeight', saved.h);
});

function setup() {
  let n = 0;
  const bridge = installFakeBridge({
    'preview:region': (_photo, req: RegionRequest) => ({ id: `reg-${++n}`, rect: req.rect, exportWidth: 4000, exportHeight: 3000, ms: 120, cached: n > 1 }),
  });
  const ui = new AppState();
  ui.styles = STYLES;
  ui.styleId = 'ember';
  ui.setGallery({ root: '/p', photos: photos(1), truncated: false });
  return { bridge, ui };
}

const regions = (b: ReturnType<typeof setup>['bridge']): RegionRequest[] => b.calls.filter((c) => c.channel === 'preview:region').map((c) => c.args[1] as RegionRequest);

describe('OneToOneView', () => {
  it('asks for the export pixels under the viewport, at its centre first, one export pixel per device pixel', async () => {
    const { bridge, ui } = setup();
    render(OneToOneView, { ui, photo: '/p/img-0.jpg', exportWidth: 4000, exportHeight: 3000, debounceMs: 10 });
    await waitFor(() => expect(screen.getByTestId('one-to-one-image').getAttribute('data-rect')).toBe('1700,1300,600,400'));
    expect(regions(bridge)).toEqual([{ style: 'ember', exportSize: 'original', brush: 1024, strength: 1, preserveColors: false, rect: { x: 1700, y: 1300, width: 600, height: 400 } }]);
    expect(screen.getByTestId('one-to-one-status').textContent).toContain('4000 × 3000 · 100 %');
  });

  it('pans with the arrow keys and drags; a rest asks once for the new rectangle', async () => {
    const { bridge, ui } = setup();
    render(OneToOneView, { ui, photo: '/p/img-0.jpg', exportWidth: 4000, exportHeight: 3000, debounceMs: 30 });
    await waitFor(() => expect(regions(bridge)).toHaveLength(1));
    const view = screen.getByTestId('one-to-one');
    await fireEvent.keyDown(view, { key: 'ArrowRight' });
    await fireEvent.keyDown(view, { key: 'ArrowRight' });
    expect(screen.getByTestId('one-to-one-status').textContent).toContain('Painting at export size');
    await waitFor(() => expect(regions(bridge)).toHaveLength(2));
    expect(regions(bridge)[1]?.rect).toEqual({ x: 1780, y: 1300, width: 600, height: 400 });
    // jsdom has no PointerEvent: mouse events of the pointer types carry the coordinates.
    await fireEvent(view, new MouseEvent('pointerdown', { bubbles: true, clientX: 100, clientY: 100 }));
    await fireEvent(view, new MouseEvent('pointermove', { bubbles: true, clientX: 5000, clientY: 5000 }));
    await fireEvent(view, new MouseEvent('pointerup', { bubbles: true }));
    // Dragged past the corner: the view stops at the export's top-left.
    await waitFor(() => expect(regions(bridge).at(-1)?.rect).toEqual({ x: 0, y: 0, width: 600, height: 400 }));
    expect(regions(bridge)).toHaveLength(3);
  });
});
