import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import StatusBar from './StatusBar.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge } from '../../../test/renderer/fake-bridge';

describe('StatusBar', () => {
  it('says calmly that it paints on the CPU when no GPU is usable on automatic', () => {
    installFakeBridge();
    const ui = new AppState();
    ui.engine = { state: 'ready', device: { requested: 'auto', provider: 'cpu', fallbackReason: 'webgpu: Failed to get a WebGPU adapter: No supported adapters' }, message: null };
    render(StatusBar, { ui });
    expect(screen.getByTestId('provider').textContent).toBe('Painting on the CPU');
    expect(screen.getByTestId('provider').getAttribute('title')).toContain('details in Diagnostics');
    // No warning bar, no adapter error text in the status line.
    expect(screen.queryByTestId('fallback')).toBeNull();
    expect(document.body.textContent).not.toContain('adapter');
    expect(document.querySelector('.warn')).toBeNull();
  });

  it('warns, pointing to Diagnostics, only when a chosen GPU is not there', async () => {
    installFakeBridge();
    const ui = new AppState();
    ui.engine = { state: 'ready', device: { requested: 'gpu', provider: 'cpu', fallbackReason: 'no GPU' }, message: null };
    render(StatusBar, { ui });
    await fireEvent.click(screen.getByTestId('fallback'));
    expect(ui.diagnosticsOpen).toBe(true);
  });

  it('names a GPU provider', () => {
    installFakeBridge();
    const ui = new AppState();
    ui.engine = { state: 'ready', device: { requested: 'auto', provider: 'cuda' }, message: null };
    render(StatusBar, { ui });
    expect(screen.getByTestId('provider').textContent).toBe('Painting on the GPU (CUDA)');
  });

  it('shows a crash notice', () => {
    installFakeBridge();
    const ui = new AppState();
    ui.engine = { state: 'restarting', device: null, message: 'x' };
    ui.lastCrash = { message: 'worker died', retried: true, at: 0 };
    render(StatusBar, { ui });
    expect(screen.getByText('Restarting engine')).toBeTruthy();
    expect(screen.getByText(/Engine restarted after a crash \(job retried\): worker died/)).toBeTruthy();
  });
});
