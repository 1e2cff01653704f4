import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ExportDialog from './ExportDialog.svelte';
import { AppState } from '../lib/app-state.svelte';
import { fakePreview, installFakeBridge, photos, SETTINGS, STYLES } from '../../../test/renderer/fake-bridge';
import { EXPORT_SIZES } from '../../../electron/common/params';
import { exportEstimate, formatMs } from '../lib/estimate';
import type { ExportRequest } from '../../../electron/common/ipc-contract';

function setup() {
  const bridge = installFakeBridge({
    'export:chooseFolder': () => '/out',
    'export:checkFolder': (dir) => ({ path: dir, writable: true, problem: null }),
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
  it('a photo in progress moves the bar and says which pass and tile it is at', async () => {
    const { bridge, ui } = setup();
    render(ExportDialog, { ui, onclose: () => undefined });
    await fireEvent.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(screen.getByTestId('outdir').textContent).toBe('/out'));
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel export' })).toBeTruthy());
    bridge.emit('export:progress', { jobId: 'job-1', done: 0, total: 1, current: '/p/img-0.jpg', etaMs: 5200, fraction: 0.42, stage: 'detail pass, tile 2 of 4' });
    await waitFor(() => expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('42'));
    expect(screen.getByTestId('export-progress').textContent).toContain('img-0.jpg · detail pass, tile 2 of 4');
    expect(screen.getByText('5.2 s left')).toBeTruthy();
  });

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
    expect(screen.getByTestId('export-report').textContent).toContain('1 exported · 0 skipped (already exported) · 1 failed');
    // The Cancel button that had focus is gone: focus stays in the dialog, on the next step.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open output folder' }));
    expect(screen.getByText('JPEG file is truncated')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Open output folder' }));
    expect(bridge.calls.some((c) => c.channel === 'shell:openPath' && c.args[0] === '/out')).toBe(true);
    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
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

  it('after a cancel, tells photos never started from photos skipped on purpose', async () => {
    const { bridge, ui } = setup();
    render(ExportDialog, { ui, onclose: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(screen.getByTestId('outdir').textContent).toBe('/out'));
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Cancel export' })).toBeTruthy());
    const file = (i: number, status: 'ok' | 'skipped' | 'cancelled' | 'not-started') => ({ input: `/p/img-${i}.jpg`, output: null, status, ms: 0, device: null });
    bridge.emit('export:done', {
      jobId: 'job-1',
      outDir: '/out',
      report: { cancelled: true, device: 'cpu', files: [file(0, 'ok'), file(1, 'skipped'), file(2, 'cancelled'), file(3, 'not-started')] },
    });
    await waitFor(() => expect(screen.getByTestId('export-report').textContent).toContain('1 exported · 1 skipped (already exported) · 1 stopped mid-way · 1 not started · 0 failed'));
  });

  it('reports a read-only output folder as soon as it is chosen', async () => {
    const { bridge, ui } = setup();
    bridge.handlers['export:chooseFolder'] = () => '/ro';
    bridge.handlers['export:checkFolder'] = (dir) => ({ path: dir, writable: false, problem: `Cannot write to ${dir}: it is on a read-only file system. Choose another folder.` });
    render(ExportDialog, { ui, onclose: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(screen.getByTestId('outdir-problem').textContent).toBe('Cannot write to /ro: it is on a read-only file system. Choose another folder.'));
    expect(bridge.calls.some((c) => c.channel === 'export:checkFolder' && c.args[0] === '/ro')).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    expect(bridge.calls.some((c) => c.channel === 'export:start')).toBe(false);
  });

  it('shows the default output folder and checks it on open', async () => {
    const { bridge, ui } = setup();
    ui.settings = { ...SETTINGS, outputDir: '/home/u/Pictures/Pastiche' };
    render(ExportDialog, { ui, onclose: () => {} });
    expect(screen.getByTestId('outdir').textContent).toBe('/home/u/Pictures/Pastiche');
    await waitFor(() => expect(bridge.calls.some((c) => c.channel === 'export:checkFolder' && c.args[0] === '/home/u/Pictures/Pastiche')).toBe(true));
  });

  it('offers the resolution presets and a total for the selection', async () => {
    const { bridge, ui } = setup();
    bridge.handlers['settings:set'] = (patch) => ({ ...SETTINGS, ...patch });
    render(ExportDialog, { ui, onclose: () => {} });
    const select = screen.getByLabelText('Output size') as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(EXPORT_SIZES.map((s) => `${s.label}${typeof s.value === 'number' ? ` · ${s.value} px long edge` : ''}`));
    await fireEvent.change(select, { target: { value: '3840' } });
    expect(ui.exportSize).toBe(3840);
    expect(bridge.calls.some((c) => c.channel === 'settings:set' && (c.args[0] as { exportSize?: unknown }).exportSize === 3840)).toBe(true);
    // The preview planned for 4K measures the rates; 4 selected photos take 4 times one.
    ui.exportSize = 'original';
    const p = fakePreview();
    ui.recordTiming(p);
    const one = exportEstimate(p, 'original', ui.brush, ui.rates)!.ms!;
    await waitFor(() => expect(screen.getByTestId('export-total').textContent).toContain(`≈ ${formatMs(one * 4)} for 4 photos`));
  });
});
