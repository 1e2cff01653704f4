import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import AddStyleDialog from './AddStyleDialog.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge, photos, STYLES } from '../../../test/renderer/fake-bridge';

const MINUTES = { min: 0.5, max: 600, default: 10 };
const NEW = { ...STYLES[0]!, id: 'water-study', title: 'water study', source: 'user' as const };

describe('AddStyleDialog', () => {
  it('says what is missing where the trainer cannot run, and cannot start', async () => {
    // One line per missing part: the learning graphs, then the learner's data.
    const message =
      "Learning a style needs the pack's learning graphs: /app/models/pastiche-pack16-vec-learn.onnx is missing\nLearning a style needs the VGG19 loss-network weights: /app/trainer-data/vgg19/model.json is missing";
    installFakeBridge({ 'styles:trainer': () => ({ ready: false, message, minutes: MINUTES }) });
    render(AddStyleDialog, { ui: new AppState(), onclose: vi.fn() });
    await waitFor(() => expect(screen.getByTestId('trainer-missing').textContent).toBe(message));
    expect((screen.getByRole('button', { name: 'Learn style' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('picks a painting, names it, shows progress, ETA and the preview, and lands the new style in the picker', async () => {
    const bridge = installFakeBridge({
      'styles:trainer': () => ({ ready: true, message: null, minutes: MINUTES }),
      'styles:choosePainting': () => '/paintings/water_study.jpg',
      'styles:add': () => ({ jobId: 'job-1' }),
      'styles:list': () => ({ styles: [...STYLES, NEW], errors: [] }),
    });
    const ui = new AppState();
    ui.photos = photos(2);
    const onclose = vi.fn();
    render(AddStyleDialog, { ui, onclose });
    await fireEvent.click(screen.getByRole('button', { name: 'Choose painting…' }));
    await waitFor(() => expect(screen.getByText('/paintings/water_study.jpg')).toBeTruthy());
    expect((screen.getByLabelText('Title') as HTMLInputElement).value).toBe('water study');
    expect((screen.getByLabelText('Id') as HTMLInputElement).value).toBe('water-study');
    await fireEvent.input(screen.getByLabelText('Training minutes'), { target: { value: '20' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Learn style' }));
    await waitFor(() => expect(bridge.calls.some((c) => c.channel === 'styles:add')).toBe(true));
    expect(bridge.calls.find((c) => c.channel === 'styles:add')?.args[0]).toEqual({
      painting: '/paintings/water_study.jpg',
      id: 'water-study',
      title: 'water study',
      artist: '',
      minutes: 20,
      previewPhoto: '/p/img-0.jpg',
    });
    bridge.emit('styles:progress', { jobId: 'job-1', step: 30, of: 120, elapsedS: 90, etaS: 270, loss: 1.2 });
    await waitFor(() => expect(screen.getByTestId('add-style-progress').textContent).toContain('Step 30 of 120'));
    expect(screen.getByTestId('add-style-progress').textContent).toMatch(/left/);
    bridge.emit('styles:preview', { jobId: 'job-1', id: 'r1' });
    await waitFor(() => expect(document.querySelector('.preview img')?.getAttribute('src')).toBe('/media/result/r1'));
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeTruthy();
    bridge.emit('styles:done', { jobId: 'job-1', style: { ...NEW, multi: true }, cancelled: false, error: null });
    await waitFor(() => expect(onclose).toHaveBeenCalled());
    expect(ui.styles.map((s) => s.id)).toContain('water-study');
    expect(ui.styleId).toBe('water-study');
  });

  it('Cancel while training asks main to stop; a failure is shown', async () => {
    const bridge = installFakeBridge({
      'styles:trainer': () => ({ ready: true, message: null, minutes: MINUTES }),
      'styles:choosePainting': () => '/p/x.png',
      'styles:add': () => ({ jobId: 'job-2' }),
      'styles:cancelAdd': () => true,
    });
    render(AddStyleDialog, { ui: new AppState(), onclose: vi.fn() });
    await fireEvent.click(screen.getByRole('button', { name: 'Choose painting…' }));
    await waitFor(() => expect(screen.getByText('/p/x.png')).toBeTruthy());
    await fireEvent.click(screen.getByRole('button', { name: 'Learn style' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel' })).toBeTruthy());
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(bridge.calls.find((c) => c.channel === 'styles:cancelAdd')?.args).toEqual(['job-2']);
    bridge.emit('styles:done', { jobId: 'job-2', style: null, cancelled: false, error: 'The style trainer failed: out of memory' });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('The style trainer failed: out of memory'));
  });
});
