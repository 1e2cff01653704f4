import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import DiagnosticsDialog from './DiagnosticsDialog.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge } from '../../../test/renderer/fake-bridge';

describe('DiagnosticsDialog', () => {
  it('lists the engine checks, saves the device choice, closes on Escape', async () => {
    const bridge = installFakeBridge({
      'app:doctor': () => [
        { name: 'Provider cpu', ok: true, detail: 'works' },
        { name: 'Provider webgpu', ok: false, neutral: true, detail: 'No supported adapters' },
        { name: 'Model pack', ok: false, detail: 'checksum mismatch' },
      ],
      'settings:set': (patch) => patch as never,
    });
    const ui = new AppState();
    let closed = false;
    render(DiagnosticsDialog, { ui, onclose: () => (closed = true) });
    await waitFor(() => expect(screen.getByText('No supported adapters')).toBeTruthy());
    // A GPU this computer lacks is information (no red ✕); a broken model is a problem.
    expect([...document.querySelectorAll('li.bad .name')].map((n) => n.textContent)).toEqual(['Model pack']);
    expect(document.querySelector('li.neutral .mark')?.textContent).toBe('–');
    await fireEvent.change(screen.getByLabelText('Inference device'), { target: { value: 'cpu' } });
    expect(bridge.calls.find((c) => c.channel === 'settings:set')?.args[0]).toEqual({ device: 'cpu' });
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(closed).toBe(true);
  });
});
