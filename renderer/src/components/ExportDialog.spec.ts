import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ExportDialog from './ExportDialog.svelte';
import { AppState } from '../lib/app-state.svelte';
import { installFakeBridge, photos, STYLES } from '../../../test/renderer/fake-bridge';
import type { ExportRequest } from '../../../electron/common/ipc-contract';

function setup() {
  const bridge = installFakeBridge({
    'export:chooseFolder': () => '/out',
    'export:start': () => ({ jobId: 'job-1' }),
    'export:cancel': () => true,
    'settings:set': () => ({}) as never,
    'shell:openPath': () => null,
  });
  const ui = new AppState();
  ui.styles = STYLES;
  ui.styleId = 'ember';
  ui.setGallery({ root: '/p', photos: photos(4), truncated: false });
  ui.selectAll();
  return { bridge, ui };
}

describe('ExportDialog', () => {
  it('exports the selection, shows progress with ETA, cancels, reports failures', async () => {
    const { bridge, ui } = setup();
    let closed = false;
    render(ExportDialog, { ui, onclose: () => (closed = true) });
    expect((screen.getByLabelText(/Selected photos \(4\)/) as HTMLInputElement).checked).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    expect(screen.getByRole('alert').textContent).toContain('Choose an output folder first.');
    await fireEvent.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(screen.getByTestId('outdir').textContent).toBe('/out'));
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel export' })).toBeTruthy());
    const req = bridge.calls.find((c) => c.channel === 'export:start')!.args[0] as ExportRequest;
    expect(req.files).toHaveLength(4);
    expect(req.outDir).toBe('/out');
    expect(req.options.style).toBe('ember');
    expect(req.options.brush).toBe(ui.brush);
    expect(req.nameTemplate).toBe('{name}_{style}');
    bridge.emit('export:progress', { jobId: 'job-1', done: 1, total: 4, current: '/p/img-1.jpg', etaMs: 3000 });
    await waitFor(() => expect(screen.getByText('3.0 s left')).toBeTruthy());
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('25');
    await fireEvent.click(screen.getByRole('button', { name: 'Cancel export' }));
    expect(bridge.calls.some((c) => c.channel === 'export:cancel' && c.args[0] === 'job-1')).toBe(true);
    bridge.emit('export:done', {
      jobId: 'job-1',
      outDir: '/out',
      report: {
        cancelled: true,
        device: 'cpu',
        files: [
          { input: '/p/img-0.jpg', output: '/out/img-0.jpg', status: 'ok', ms: 5, device: 'cpu' },
          { input: '/p/img-1.jpg', output: null, status: 'failed', error: 'JPEG file is truncated', ms: 5, device: 'cpu' },
        ],
      },
    });
    await waitFor(() => expect(screen.getByTestId('export-report').textContent).toContain('Cancelled.'));
    expect(screen.getByTestId('export-report').textContent).toContain('1 exported · 0 skipped · 1 failed');
    expect(screen.getByText('JPEG file is truncated')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Open output folder' }));
    expect(bridge.calls.some((c) => c.channel === 'shell:openPath' && c.args[0] === '/out')).toBe(true);
    await fireEvent.keyDown(screen.getByRole('dialog'), { key: 'Escape' });
    expect(closed).toBe(true);
  });

  it('from the side-by-side view: every style shown, one batch; unticked, the chosen style alone', async () => {
    const { bridge, ui } = setup();
    ui.view = 'compare';
    ui.compareStyles = ['ember', 'tide'];
    render(ExportDialog, { ui, onclose: () => {} });
    const every = screen.getByLabelText(/Every style of the side-by-side view \(2\)/) as HTMLInputElement;
    expect(every.checked).toBe(true);
    await fireEvent.click(screen.getByLabelText('Contact sheet of the photos × styles'));
    await fireEvent.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(screen.getByTestId('outdir').textContent).toBe('/out'));
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(bridge.calls.some((c) => c.channel === 'export:start')).toBe(true));
    const req = bridge.calls.find((c) => c.channel === 'export:start')!.args[0] as ExportRequest;
    expect(req.styles).toEqual(['ember', 'tide']);
    expect(req.files).toHaveLength(4);
    expect(req.contactSheet).toBe(true);
    bridge.emit('export:done', {
      jobId: 'job-1',
      outDir: '/out',
      report: {
        cancelled: false,
        device: 'cpu',
        contactSheet: '/out/contact-sheet-2.jpg',
        files: [
          {
            input: '/p/img-0.jpg',
            output: '/out/img-0_ember-2.jpg',
            status: 'ok',
            ms: 5,
            device: 'cpu',
            outcome: 'renamed',
            note: 'written as img-0_ember-2.jpg: img-0_ember.jpg is another export and was kept',
          },
          { input: '/p/img-0.jpg', output: '/out/img-0_tide.jpg', status: 'ok', ms: 5, device: 'cpu', outcome: 'new', note: 'written as img-0_tide.jpg' },
        ],
      },
    });
    await waitFor(() => expect(screen.getByTestId('contact-sheet').textContent).toBe('Contact sheet: contact-sheet-2.jpg'));
    expect(screen.getByTestId('export-report').textContent).toContain('img-0_ember.jpg is another export and was kept');
    expect(screen.getByTestId('export-report').textContent).not.toContain('written as img-0_tide.jpg');
  });

  it('a template without {name} disables Export and says why', async () => {
    const { bridge, ui } = setup();
    bridge.handlers['settings:set'] = () => ({ ok: false, error: { code: 'bad-argument', message: "Expected a template containing {name} for nameTemplate but received 'x'" } });
    render(ExportDialog, { ui, onclose: () => {} });
    await fireEvent.input(screen.getByLabelText('File name template'), { target: { value: 'x' } });
    await waitFor(() => expect(screen.getByTestId('name-template-error').textContent).toContain('Expected a template containing {name}'));
    expect((screen.getByRole('button', { name: 'Export' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows a refused export inline', async () => {
    const { bridge, ui } = setup();
    bridge.handlers['export:start'] = () => ({ ok: false, error: { code: 'not-allowed', message: 'Output folder was not chosen' } });
    ui.settings = {
      theme: 'dark',
      device: 'auto',
      previewSize: 1080,
      exportSize: 'original',
      brush: 1024,
      format: 'png',
      quality: 90,
      keepMetadata: false,
      stripGps: true,
      skipExisting: false,
      nameTemplate: '{name}_{style}',
      recursive: true,
      strength: 1,
      preserveColors: false,
      outputDir: '/out',
      lastFolder: null,
      compareStyles: [],
    };
    render(ExportDialog, { ui, onclose: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('Output folder was not chosen'));
  });
});
