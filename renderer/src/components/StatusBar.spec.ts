import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import StatusBar from './StatusBar.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge } from '../../../test/renderer/fake-bridge';

describe('StatusBar', () => {
  it('names the provider and explains a CPU fallback', () => {
    installFakeBridge();
    const ui = new AppState();
    ui.engine = { state: 'ready', device: { requested: 'auto', provider: 'cpu', fallbackReason: 'No WebGPU adapter' }, message: null };
    render(StatusBar, { ui });
    expect(screen.getByTestId('provider').textContent).toContain('CPU');
    expect(screen.getByTestId('provider').textContent).toContain('requested auto');
    expect(screen.getByTestId('fallback').textContent).toBe('Fell back to CPU: No WebGPU adapter');
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
