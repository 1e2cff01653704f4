import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from './App.svelte';
import { app as ui } from './lib/app-state.svelte';
import { fakePreview, installFakeBridge, photos, STYLES } from '../../test/renderer/fake-bridge';

const SETTINGS = {
  theme: 'light' as const,
  device: 'auto' as const,
  previewSize: 768,
  exportSize: 'original' as const,
  brush: 1536,
  format: 'jpg' as const,
  quality: 90,
  keepMetadata: true,
  stripGps: true,
  skipExisting: true,
  nameTemplate: '{name}_{style}',
  recursive: true,
  strength: 0.8,
  preserveColors: false,
  outputDir: null,
  lastFolder: null,
  compareStyles: [],
};

/** The style tiles (the blend's select lists style titles too). */
const tiles = () => within(screen.getByRole('listbox', { name: 'Painting style' }));

describe('App', () => {
  it('loads settings and styles, opens a folder, reacts to menu commands and engine events', async () => {
    const bridge = installFakeBridge({
      'settings:get': () => SETTINGS,
      'settings:set': (patch) => ({ ...SETTINGS, ...patch }),
      'styles:list': () => ({ styles: STYLES, errors: ['broken-model: checksum mismatch'] }),
      'styles:thumbnail': (id) => id,
      'app:info': () => ({ version: '1', platform: 'linux', arch: 'x64', cpus: 2, totalMemBytes: 8e9, modelsDir: '/m', tileSize: 1449 }),
      'engine:status': () => ({ state: 'ready', device: { requested: 'auto', provider: 'cpu', fallbackReason: 'no adapter' }, message: null }),
      'gallery:openFolder': () => ({ root: '/p/holiday', photos: photos(12), truncated: false }),
      'preview:render': () => fakePreview({ id: 'r1', width: 768, height: 576, ms: 300 }),
    });
    render(App);
    await waitFor(() => expect(document.documentElement.dataset['theme']).toBe('light'));
    await waitFor(() => expect(tiles().getByRole('option', { name: /Ember/ })).toBeTruthy());
    expect(ui.strength).toBe(0.8);
    expect(ui.brush).toBe(1536);
    // Model errors are shown in the UI, not only logged.
    expect(screen.getByText(/Model problem: broken-model: checksum mismatch/)).toBeTruthy();
    // No usable GPU on automatic: a calm line, the reason kept for Diagnostics.
    await waitFor(() => expect(screen.getByTestId('provider').textContent).toBe('Painting on the CPU'));
    expect(screen.queryByTestId('fallback')).toBeNull();

    await fireEvent.click(screen.getByTestId('open-folder'));
    await waitFor(() => expect(screen.getByText('holiday')).toBeTruthy());
    expect(screen.getAllByRole('option', { name: /img-/ }).length).toBeGreaterThan(0);

    bridge.emit('menu:command', 'view-compare');
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Side by side' }).getAttribute('aria-selected')).toBe('true'));
    bridge.emit('menu:command', 'select-all');
    await waitFor(() => expect(screen.getByText(/12 selected/)).toBeTruthy());
    bridge.emit('menu:command', 'export');
    await waitFor(() => expect(screen.getByRole('dialog')).toBeTruthy());
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());

    bridge.emit('engine:crash', { message: 'worker died', retried: true, at: 1 });
    await waitFor(() => expect(screen.getAllByRole('alert').some((a) => a.textContent?.includes('crashed and was restarted'))).toBe(true));

    await fireEvent.click(screen.getByRole('button', { name: 'Switch to dark theme' }));
    expect(document.documentElement.dataset['theme']).toBe('dark');
    expect(bridge.calls.some((c) => c.channel === 'settings:set' && (c.args[0] as { theme?: string }).theme === 'dark')).toBe(true);
  });

  it('takes the styles main sends after the styles folder changed: new ones appear, problems are toasted once', async () => {
    const bridge = installFakeBridge({
      'settings:get': () => SETTINGS,
      'styles:list': () => ({ styles: STYLES, errors: ['broken-model: checksum mismatch'] }),
      'styles:thumbnail': (id) => id,
      'app:info': () => ({ version: '1', platform: 'linux', arch: 'x64', cpus: 2, totalMemBytes: 8e9, modelsDir: '/m', tileSize: 1449 }),
      'engine:status': () => ({ state: 'ready', device: null, message: null }),
    });
    render(App);
    await waitFor(() => expect(tiles().getByRole('option', { name: /Ember/ })).toBeTruthy());
    const toasts = (text: string): number => ui.toasts.filter((t) => t.message.includes(text)).length;
    const before = toasts('checksum mismatch');
    const mine = { ...STYLES[0]!, id: 'harbour', index: 2, title: 'Harbour at noon', artist: 'Me', source: 'user' as const };
    bridge.emit('styles:changed', { styles: [...STYLES, mine], errors: ['broken-model: checksum mismatch', 'Style file /u/bad.json: vector[3] is NaN'] });
    await waitFor(() => expect(tiles().getByRole('option', { name: /Harbour at noon/ })).toBeTruthy());
    expect(toasts('checksum mismatch')).toBe(before);
    expect(toasts('vector[3] is NaN')).toBe(1);
    // The style in use removed from the folder: the first one is picked.
    ui.styleId = 'harbour';
    bridge.emit('styles:changed', { styles: STYLES, errors: [] });
    await waitFor(() => expect(tiles().queryByRole('option', { name: /Harbour at noon/ })).toBeNull());
    expect(ui.styleId).toBe(STYLES[0]!.id);
  });
});
