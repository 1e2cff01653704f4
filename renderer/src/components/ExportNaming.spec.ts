import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ExportNaming from './ExportNaming.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge, photos, STYLES } from '../../../test/renderer/fake-bridge';
import type { RecipeChoice, Settings } from '../../../electron/common/ipc-contract';

const RECIPE: RecipeChoice = {
  file: '/out/img-0_ember.jpg',
  style: { ember: 0.7, tide: 0.3 },
  styleTitle: 'Ember + Tide',
  strength: 0.8,
  brush: 512,
  preserveColors: true,
  size: 'original',
  appVersion: '0.1.0',
};

function setup(recipe: RecipeChoice | null = RECIPE) {
  const bridge = installFakeBridge({
    'settings:set': (patch) => {
      const t = patch.nameTemplate;
      if (t !== undefined && !t.includes('{name}')) return { ok: false, error: { code: 'bad-argument', message: `Expected a template containing {name} for nameTemplate but received '${t}'` } };
      return { nameTemplate: t } as Settings;
    },
    'recipe:open': () => recipe,
  });
  const ui = new AppState();
  ui.styles = STYLES;
  ui.styleId = 'ember';
  ui.setGallery({ root: '/p', photos: photos(2), truncated: false });
  return { bridge, ui };
}

describe('ExportNaming', () => {
  it('shows the name the photo in view will get, and the template problem as it is typed', async () => {
    const { ui } = setup();
    render(ExportNaming, { ui, format: 'jpg', template: '{name}_{style}', valid: true });
    expect(screen.getByTestId('name-example').textContent).toBe('e.g. img-0_ember.jpg');
    ui.blendWith = 'tide';
    ui.mix = 0.3;
    await waitFor(() => expect(screen.getByTestId('name-example').textContent).toBe('e.g. img-0_ember-70+tide-30.jpg'));
    const input = screen.getByLabelText('File name template');
    await fireEvent.input(input, { target: { value: '{style}' } });
    await waitFor(() => expect(screen.getByTestId('name-template-error').textContent).toBe("Expected a template containing {name} for nameTemplate but received '{style}'"));
    await fireEvent.input(input, { target: { value: '{name} {strength}' } });
    await waitFor(() => expect(screen.getByTestId('name-example').textContent).toBe('e.g. img-0 100.jpg'));
  });

  it('"Use settings from a painted file…" applies its style, strength, brush and preserve colours', async () => {
    const { bridge, ui } = setup();
    render(ExportNaming, { ui, format: 'png', template: '{name}_{style}', valid: true });
    await fireEvent.click(screen.getByRole('button', { name: 'Use settings from a painted file…' }));
    await waitFor(() => expect(ui.styleSpec).toEqual({ ember: 0.7, tide: 0.3 }));
    expect([ui.strength, ui.brush, ui.preserveColors]).toEqual([0.8, 512, true]);
    expect(bridge.calls.some((c) => c.channel === 'settings:set' && JSON.stringify(c.args[0]) === JSON.stringify({ strength: 0.8, preserveColors: true, brush: 512 }))).toBe(true);
    expect(ui.toasts.at(-1)?.message ?? '').toContain('Ember + Tide');
  });

  it('a recipe blending three styles is refused with the reason', async () => {
    const { ui } = setup({ ...RECIPE, style: { ember: 0.5, tide: 0.3, solo: 0.2 } });
    render(ExportNaming, { ui, format: 'jpg', template: '{name}_{style}', valid: true });
    await fireEvent.click(screen.getByRole('button', { name: 'Use settings from a painted file…' }));
    await waitFor(() => expect(ui.toasts.at(-1)?.message ?? '').toContain('The recipe blends 3 styles and the app blends two'));
    expect(ui.styleSpec).toBe('ember');
  });
});
