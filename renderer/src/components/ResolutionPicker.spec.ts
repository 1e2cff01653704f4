import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import ResolutionPicker from './ResolutionPicker.svelte';
import { AppState } from '../lib/app-state.svelte';
import { fakePreview, installFakeBridge } from '../../../test/renderer/fake-bridge';

describe('ResolutionPicker', () => {
  it('estimates time and memory from the export plan and measured rates', () => {
    installFakeBridge({ 'settings:set': () => ({}) as never });
    const ui = new AppState();
    render(ResolutionPicker, { ui });
    expect(screen.getByTestId('estimate').textContent).toContain('appear after the first preview');
    ui.recordTiming(fakePreview());
    flushSync();
    const text = screen.getByTestId('estimate').textContent ?? '';
    expect(text).toContain('4000 × 3000');
    expect(text).toContain('12.0 MP');
    // decode 50 + reduce 40 + output 300 ms/MP, x 12 MP, + passes 2 s/MP x (0.79 + 2.50) MP = 11.3 s
    expect(text).toContain('≈ 11 s');
    expect(text).toContain('brush pass 1024×768 + detail pass 1825×1369');
    expect(text).toMatch(/MB memory|GB memory/);
    // Another export size: no estimate from the old plan until its preview arrives.
    ui.exportSize = 1920;
    flushSync();
    expect(screen.getByTestId('estimate').textContent).toContain('Estimating this export');
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
