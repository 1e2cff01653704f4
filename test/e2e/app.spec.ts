// The renderer in Debian Chromium against the e2e host (same contract, same
// handlers, real engine on the fixture models).

import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { HOSTILE_NAME } from './fixtures.js';

const URL_ = process.env['E2E_URL'] ?? '';
const PHOTOS = process.env['E2E_PHOTOS'] ?? '';
const BIG = process.env['E2E_BIG'] ?? '';
const MANY = process.env['E2E_MANY'] ?? '';
const OUT = process.env['E2E_OUT'] ?? '';
const SHOTS = path.join(process.cwd(), 'test-results', 'screenshots');

async function setDialogs(page: Page, answers: Record<string, unknown>): Promise<void> {
  const r = await page.request.post(`${URL_}/__test/dialogs`, { data: answers });
  expect(r.ok()).toBe(true);
}

/** Fails the test on any alert() (XSS) and collects CSP violations and page errors. */
function watch(page: Page): { problems: string[] } {
  const problems: string[] = [];
  page.on('dialog', (d) => {
    problems.push(`unexpected dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  return { problems };
}

async function openGallery(page: Page, folder = PHOTOS): Promise<void> {
  await setDialogs(page, { openFolder: folder, chooseOutputFolder: OUT });
  await page.goto(URL_);
  await expect(page.locator('[data-style]').first()).toBeVisible();
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('gallery-grid')).toBeVisible();
}

test.beforeAll(() => {
  expect(URL_, 'global setup must start the host').not.toBe('');
});

test('opens a folder: virtualized grid with thumbnails, hostile names rendered as text', async ({ page }) => {
  const w = watch(page);
  await openGallery(page);
  const cells = page.getByTestId('gallery-grid').getByRole('option');
  await expect(cells).toHaveCount(7);
  // The file name shows literally; had it been parsed as HTML, onerror would have called alert().
  await expect(page.getByText(HOSTILE_NAME, { exact: true })).toHaveCount(2); // gallery cell + preview title
  await expect(page.locator('.cell .name').first()).toHaveText(HOSTILE_NAME);
  await expect(page.locator('.cell img[src=x]')).toHaveCount(0);
  // Thumbnails decode (naturalWidth > 0) except the corrupt photo, which shows an error tile.
  await expect(page.getByTestId('thumb-error')).toHaveCount(1);
  await expect
    .poll(() => page.locator('.cell img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length))
    .toBe(6);
  // Style thumbnails were rendered by the models from the bundled sample photo.
  await expect.poll(() => page.locator('.style .thumb img').count(), { timeout: 30_000 }).toBe(3);
  await page.screenshot({ path: path.join(SHOTS, 'gallery.png') });
  expect(w.problems).toEqual([]);
});

test('5,000 photos: only visible rows are in the DOM; End jumps to the last photo', async ({ page }) => {
  await openGallery(page, MANY);
  await expect(page.getByText('5,000', { exact: true })).toBeVisible();
  const grid = page.getByTestId('gallery-grid');
  const inDom = await grid.getByRole('option').count();
  expect(inDom).toBeGreaterThan(0);
  expect(inDom).toBeLessThan(80);
  await grid.focus();
  await page.keyboard.press('End');
  await expect(page.locator('#photo-4999')).toBeVisible();
  await expect(page.locator('#photo-4999')).toHaveAttribute('aria-selected', 'true');
  expect(await grid.getByRole('option').count()).toBeLessThan(80);
  await expect.poll(() => page.locator('#photo-4999 img').evaluate((i) => (i as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  // Scrolling through the middle stays cheap: still only a window of rows.
  await grid.evaluate((el) => (el.scrollTop = el.scrollHeight / 2));
  await expect(page.locator('#photo-2500')).toBeAttached();
  expect(await grid.getByRole('option').count()).toBeLessThan(80);
});

test('keyboard selection: arrows, shift-range, ctrl+A', async ({ page }) => {
  await openGallery(page);
  const grid = page.getByTestId('gallery-grid');
  await grid.focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.locator('#photo-1')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(page.locator('.cell.selected')).toHaveCount(2);
  await page.keyboard.press('Control+a');
  await expect(page.locator('.cell.selected')).toHaveCount(7);
  await expect(page.getByText('7 selected')).toBeVisible();
});

test('preview: pick a style, refine, drag and key the compare slider', async ({ page }) => {
  const w = watch(page);
  await openGallery(page);
  await page.getByRole('option', { name: /01-lake/ }).click();
  await page.locator('[data-style="fixture-tide"]').click();
  await expect(page.locator('[data-style="fixture-tide"]')).toHaveAttribute('aria-checked', 'true');
  const phase = page.getByTestId('preview-phase');
  // Fast preview first, then the refined one at the preview size (1080).
  await expect(phase).toContainText('1080×720', { timeout: 30_000 });
  await expect(phase).toContainText('CPU');
  const handle = page.getByTestId('compare-handle');
  await expect(handle).toHaveAttribute('aria-valuenow', '50');
  // Drag to the left quarter.
  const frame = page.locator('.frame');
  const box = (await frame.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.5, { steps: 5 });
  await page.mouse.up();
  const dragged = Number(await handle.getAttribute('aria-valuenow'));
  expect(dragged).toBeGreaterThan(20);
  expect(dragged).toBeLessThan(30);
  // Keyboard: End, then arrows.
  await handle.focus();
  await page.keyboard.press('Home');
  await expect(handle).toHaveAttribute('aria-valuenow', '0');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(handle).toHaveAttribute('aria-valuenow', '10');
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await page.keyboard.press('PageUp');
  await page.keyboard.press('ArrowRight');
  await expect(handle).toHaveAttribute('aria-valuenow', '42');
  // Estimate appears once a preview was timed.
  await expect(page.getByTestId('estimate')).toContainText('MP');
  await expect(page.getByTestId('estimate')).toContainText('memory');
  await expect(page.getByTestId('provider')).toContainText('CPU');
  await page.screenshot({ path: path.join(SHOTS, 'preview-compare.png') });
  // 100% zoom and back.
  await page.getByRole('button', { name: '100%' }).click();
  await expect(page.locator('.stage.scroll')).toBeVisible();
  await page.getByRole('button', { name: 'Fit' }).click();
  expect(w.problems).toEqual([]);
});

test('a corrupt photo shows an error in the preview and a toast', async ({ page }) => {
  await openGallery(page);
  await page.getByTestId('gallery-grid').getByRole('option', { name: /04-corrupt/ }).click();
  const err = page.getByTestId('preview-error');
  await expect(err).toBeVisible({ timeout: 30_000 });
  await expect(err).toContainText('04-corrupt.jpg');
  await expect(page.getByTestId('toast').filter({ hasText: 'Preview failed' })).toBeVisible();
});

test('side by side: renders one tile per style, progressively; click picks for export', async ({ page }) => {
  const w = watch(page);
  await openGallery(page);
  await page.getByRole('option', { name: /01-lake/ }).click();
  await page.getByRole('tab', { name: 'Side by side' }).click();
  const tiles = page.getByTestId('sbs-tile');
  await expect(tiles).toHaveCount(3);
  await expect(page.locator('[data-testid="sbs-tile"][data-ready="true"]')).toHaveCount(3, { timeout: 40_000 });
  await tiles.nth(2).click();
  await expect(tiles.nth(2)).toHaveAttribute('aria-pressed', 'true');
  await expect(tiles.nth(2)).toContainText('For export');
  await page.screenshot({ path: path.join(SHOTS, 'side-by-side.png') });
  // Removing a style from the comparison removes its tile.
  await page.getByRole('group', { name: 'Styles to compare' }).getByRole('button').first().click();
  await expect(tiles).toHaveCount(2);
  expect(w.problems).toEqual([]);
});

test('batch export of selected photos reports failures with reasons', async ({ page }) => {
  await openGallery(page);
  await page.getByTestId('gallery-grid').focus();
  await page.keyboard.press('Control+a');
  await page.getByLabel('Export size').selectOption({ label: '720p · 1280 px' });
  await page.getByTestId('open-export').click();
  const dlg = page.getByTestId('export-dialog');
  await expect(dlg).toBeVisible();
  await expect(dlg.getByLabel(/Selected photos/)).toBeChecked();
  await dlg.getByRole('button', { name: 'Choose…' }).click();
  await expect(dlg.getByTestId('outdir')).toContainText(path.basename(OUT));
  await dlg.getByLabel('Format').selectOption('webp');
  await dlg.getByRole('button', { name: 'Export', exact: true }).click();
  const report = dlg.getByTestId('export-report');
  await expect(report).toBeVisible({ timeout: 90_000 });
  await expect(report).toContainText('6 exported');
  await expect(report).toContainText('1 failed');
  await expect(report.locator('.failures li')).toContainText('04-corrupt.jpg');
  await page.screenshot({ path: path.join(SHOTS, 'batch-report.png') });
  const written = fs.readdirSync(OUT, { recursive: true }).map(String);
  expect(written.filter((f) => f.endsWith('.webp')).length).toBeGreaterThanOrEqual(6);
  await dlg.getByRole('button', { name: 'Open output folder' }).click();
  await expect.poll(async () => (await (await page.request.get(`${URL_}/__test/opened`)).json()) as string[]).toContain(fs.realpathSync(OUT));
  await page.keyboard.press('Escape');
  await expect(dlg).toBeHidden();
});

test('batch export of a whole folder can be cancelled', async ({ page }) => {
  await openGallery(page, BIG);
  await expect(page.getByTestId('gallery-grid').getByRole('option')).toHaveCount(6);
  await page.getByLabel('Export size').selectOption('original');
  await page.keyboard.press('Control+e');
  const dlg = page.getByTestId('export-dialog');
  await dlg.getByLabel(/Whole folder/).check();
  await dlg.getByRole('button', { name: 'Choose…' }).click();
  await dlg.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(dlg.getByTestId('export-progress')).toBeVisible();
  await expect(dlg.getByRole('progressbar')).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'batch-dialog.png') });
  await dlg.getByRole('button', { name: 'Cancel export' }).click();
  const report = dlg.getByTestId('export-report');
  await expect(report).toContainText('Cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('toast').filter({ hasText: 'Export cancelled' })).toBeVisible();
});

test('IPC from the page refuses bad arguments with precise messages', async ({ page }) => {
  await openGallery(page);
  const results = await page.evaluate(async () => {
    const p = window.pastiche;
    return [
      await p.invoke('gallery:list', '/etc/../etc'),
      await p.invoke('preview:render', '/etc/passwd', { style: 'fixture-tide', size: 512, strength: 1, preserveColors: false }, 'x1'),
      // Deliberately wrong types, as a compromised page could send.
      await (p.invoke as (c: string, ...a: unknown[]) => Promise<unknown>)('settings:set', { previewSize: 'abc' }),
      await (p.invoke as (c: string, ...a: unknown[]) => Promise<unknown>)('styles:thumbnail', '../x'),
      await (p.invoke as (c: string, ...a: unknown[]) => Promise<unknown>)('nope:channel'),
    ];
  });
  expect(results[0]).toMatchObject({ ok: false, error: { code: 'bad-argument', message: expect.stringContaining("'..'") } });
  expect(results[1]).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
  expect(results[2]).toMatchObject({ ok: false, error: { code: 'bad-argument', message: "Expected integer between 256 and 4096 for previewSize but received 'abc'" } });
  expect(results[3]).toMatchObject({ ok: false, error: { code: 'bad-argument' } });
  expect(results[4]).toMatchObject({ ok: false, error: { code: 'bad-argument', message: "Unknown channel 'nope:channel'" } });
  // Media outside the opened folders is refused.
  const media = await page.request.get(`${URL_}/media/photo/${encodeURIComponent('/etc/passwd.jpg')}`);
  expect(media.status()).toBe(403);
  // A request without our Origin is refused as a bad sender.
  const foreign = await page.request.post(`${URL_}/ipc/settings:get`, { data: { args: [] }, headers: { origin: 'http://evil.example' } });
  expect(await foreign.json()).toMatchObject({ ok: false, error: { code: 'bad-sender' } });
});

test('light theme toggle and screenshot', async ({ page }) => {
  await openGallery(page);
  await page.getByRole('button', { name: /Switch to light theme/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByRole('option', { name: /03-portrait/ }).click();
  await expect(page.getByTestId('preview-phase')).toContainText('CPU', { timeout: 30_000 });
  await page.screenshot({ path: path.join(SHOTS, 'light-theme.png') });
  await page.getByRole('button', { name: /Switch to dark theme/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('diagnostics lists the engine checks from the real engine', async ({ page }) => {
  await page.goto(URL_);
  await page.getByRole('button', { name: 'Diagnostics' }).click();
  const dlg = page.getByTestId('diagnostics-dialog');
  await expect(dlg).toBeVisible();
  await expect(dlg.getByText('Provider cpu')).toBeVisible({ timeout: 30_000 });
  await expect(dlg.getByText(/Model fixture-pack/)).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dlg).toBeHidden();
});
