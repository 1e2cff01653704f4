import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import BrushControl from './BrushControl.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge } from '../../../test/renderer/fake-bridge';

describe('BrushControl', () => {
  it('shows the brush, moves through the stops live and saves on release', async () => {
    const bridge = installFakeBridge({ 'settings:set': () => ({}) as never });
    const ui = new AppState();
    render(BrushControl, { ui });
    const slider = screen.getByLabelText('Brush size') as HTMLInputElement;
    expect(screen.getByTestId('brush-value').textContent).toBe('1024 px');
    expect(slider.value).toBe('4');
    expect(screen.getByText(/painted as if the photo were 1024 px across/)).toBeTruthy();
    await fireEvent.input(slider, { target: { value: '6' } });
    // Live: the state (which the preview follows) changes while dragging, nothing saved yet.
    expect(ui.brush).toBe(2048);
    expect(bridge.calls.filter((c) => c.channel === 'settings:set')).toHaveLength(0);
    await fireEvent.change(slider);
    expect(bridge.calls.find((c) => c.channel === 'settings:set')?.args[0]).toEqual({ brush: 2048 });
    await fireEvent.input(slider, { target: { value: '9' } });
    expect(ui.brush).toBe('native');
    expect(screen.getByTestId('brush-value').textContent).toBe('Native');
    expect(slider.getAttribute('aria-valuetext')).toBe('Native');
    expect(screen.getByText(/strokes get finer the larger you export/)).toBeTruthy();
  });

  it('follows a brush loaded from settings, at the nearest stop', () => {
    installFakeBridge();
    const ui = new AppState();
    render(BrushControl, { ui });
    ui.brush = 1000;
    flushSync();
    expect((screen.getByLabelText('Brush size') as HTMLInputElement).value).toBe('4');
    expect(screen.getByTestId('brush-value').textContent).toBe('1000 px');
  });
});
