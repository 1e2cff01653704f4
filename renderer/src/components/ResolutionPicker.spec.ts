import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import ResolutionPicker from './ResolutionPicker.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge } from '../../../test/renderer/fake-bridge';

describe('ResolutionPicker', () => {
  it('estimates time and memory from measured preview timings', () => {
    installFakeBridge({ 'settings:set': () => ({}) as never });
    const ui = new AppState();
    render(ResolutionPicker, { ui });
    expect(screen.getByTestId('estimate').textContent).toContain('appear after the first preview');
    ui.recordTiming({ id: 'r', width: 1000, height: 1000, sourceWidth: 4000, sourceHeight: 3000, ms: 500, provider: 'cpu' });
    ui.exportSize = 1920;
    flushSync();
    const text = screen.getByTestId('estimate').textContent ?? '';
    expect(text).toContain('1920 × 1440');
    expect(text).toContain('2.8 MP');
    expect(text).toContain('≈ 1.4 s');
    expect(text).toMatch(/MB memory|GB memory/);
    expect(text).toContain('Estimate');
  });

  it('validates a custom long edge', async () => {
    const bridge = installFakeBridge({ 'settings:set': () => ({}) as never });
    const ui = new AppState();
    render(ResolutionPicker, { ui });
    await fireEvent.change(screen.getByLabelText('Export size'), { target: { value: 'custom' } });
    const input = screen.getByLabelText('Custom long edge in pixels') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: '20' } });
    await fireEvent.change(input);
    expect(screen.getByRole('alert').textContent).toContain('between 64 and 16384');
    await fireEvent.input(input, { target: { value: '5000' } });
    await fireEvent.change(input);
    expect(ui.exportSize).toBe(5000);
    expect(bridge.calls.some((c) => c.channel === 'settings:set' && (c.args[0] as { exportSize?: number }).exportSize === 5000)).toBe(true);
  });

  it('follows settings loaded after mount', () => {
    installFakeBridge();
    const ui = new AppState();
    render(ResolutionPicker, { ui });
    ui.exportSize = 3840;
    flushSync();
    expect((screen.getByLabelText('Export size') as HTMLSelectElement).value).toBe('3840');
  });
});
