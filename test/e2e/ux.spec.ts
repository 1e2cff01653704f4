// How the app reads and behaves for a person at the keyboard, in a small window and on a computer
// without a usable GPU: focus in dialogs, the style grid's one Tab stop, whole names and captions
// at 1024×700, a calm first launch. Screenshots (test-results/screenshots) at 1440×900 and
// 1024×700.

import { expect, test, type Locator, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const URL_ = process.env['E2E_URL'] ?? '';
const PHOTOS = process.env['E2E_PHOTOS'] ?? '';
const BASE = process.env['E2E_BASE'] ?? '';
const OUT = process.env['E2E_OUT'] ?? '';
const USER_DATA = process.env['E2E_USER_DATA'] ?? '';
const STYLES = JSON.parse(process.env['E2E_STYLES'] ?? '[]') as string[];
const SHOTS = path.join(process.cwd(), 'test-results', 'screenshots');
const LONG_NAME = 'Bridge_at_Argenteuil_DSC_0412.jpg';
const SMALL = { width: 1024, height: 700 };
const LARGE = { width: 1440, height: 900 };

async function post(page: Page, url: string, data: unknown): Promise<unknown> {
  const r = await page.request.post(`${URL_}${url}`, { data, headers: { origin: URL_ } });
  expect(r.ok()).toBe(true);
  return r.json();
}

async function setSettings(page: Page, patch: Record<string, unknown>): Promise<void> {
  expect(await post(page, '/ipc/settings:set', { args: [patch] })).toMatchObject({ ok: true });
}

async function openGallery(page: Page, folder: string): Promise<void> {
  await post(page, '/__test/dialogs', { openFolder: folder, chooseOutputFolder: OUT });
  await setSettings(page, { previewSize: 768, device: 'cpu' });
  await page.goto(URL_);
  await expect(page.locator('[data-style]').first()).toBeVisible();
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('gallery-grid')).toBeVisible();
}

/** A photo with a camera's long name at the top, and one in a subfolder two levels down. */
function narrowFolder(): string {
  const dir = path.join(BASE, 'narrow');
  fs.mkdirSync(path.join(dir, 'Trips', 'Venice'), { recursive: true });
  fs.copyFileSync(path.join(PHOTOS, '01-lake.jpg'), path.join(dir, LONG_NAME));
  fs.copyFileSync(path.join(PHOTOS, '03-portrait.jpg'), path.join(dir, 'Trips', 'Venice', 'IMG_2201.jpg'));
  return dir;
}

type Box = { x: number; y: number; width: number; height: number };
async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  expect(b, 'element has a box').not.toBeNull();
  return b as Box;
}
function inside(inner: Box, outer: Box): boolean {
  return inner.x >= outer.x - 0.5 && inner.y >= outer.y - 0.5 && inner.x + inner.width <= outer.x + outer.width + 0.5 && inner.y + inner.height <= outer.y + outer.height + 0.5;
}
/** Text is cut by CSS when its box scrolls (ellipsis, overflow hidden). */
function cutByCss(l: Locator): Promise<boolean> {
  return l.evaluate((el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
}
async function focusedInside(page: Page, testid: string): Promise<boolean> {
  return page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.contains(document.activeElement) ?? false, testid);
}

test.beforeAll(() => {
  expect(URL_, 'global setup must start the host').not.toBe('');
  fs.mkdirSync(SHOTS, { recursive: true });
});

test('at 1024×700 the zoom buttons, file names, folder labels and captions are whole', async ({ page }) => {
  const dir = narrowFolder();
  for (const size of [SMALL, LARGE]) {
    await page.setViewportSize(size);
    await openGallery(page, dir);
    const view = { x: 0, y: 0, ...size };
    const cells = page.getByTestId('gallery-grid').getByRole('option');
    await expect(cells).toHaveCount(2);
    await page.getByRole('tab', { name: 'Preview' }).click();
    await cells.first().click();
    await expect(page.getByTestId('preview-phase')).toContainText('CPU', { timeout: 30_000 });
    // The 100 % button sits inside the window and inside its toolbar.
    const zoom = page.getByRole('group', { name: 'Zoom' });
    const hundred = zoom.getByRole('button', { name: '100%' });
    expect(inside(await box(hundred), view)).toBe(true);
    expect(inside(await box(hundred), await box(page.locator('.preview .toolbar')))).toBe(true);
    // The file name is whole in the preview's title, and readable whole in the gallery.
    const title = page.locator('.preview .toolbar .name');
    await expect(title).toHaveText(LONG_NAME);
    expect(await cutByCss(title)).toBe(false);
    const cellName = cells.first().locator('.name');
    expect(await cutByCss(cellName)).toBe(false);
    const shown = await cellName.textContent();
    expect(shown === LONG_NAME || (await cells.first().getAttribute('title')) === LONG_NAME, `shown '${shown}'`).toBe(true);
    // A subfolder's photo carries its folder.
    await expect(cells.nth(1).getByTestId('photo-folder')).toHaveText('Trips/Venice');
    await expect(cells.nth(1)).toHaveAttribute('title', 'Trips/Venice/IMG_2201.jpg');
    await page.screenshot({ path: path.join(SHOTS, `preview-${size.width}x${size.height}.png`) });

    await page.getByRole('tab', { name: 'Side by side' }).click();
    const tiles = page.getByTestId('sbs-tile');
    const n = Math.min(4, STYLES.length);
    await expect(page.locator('[data-testid="sbs-tile"][data-ready="true"]')).toHaveCount(n, { timeout: 60_000 });
    for (let i = 0; i < n; i++) {
      const tile = tiles.nth(i);
      const t = tile.locator('.caption .t');
      // The caption's title is the style's whole title, not cut, and inside its tile.
      expect((await tile.getAttribute('aria-label'))?.replace(/^Use | for export$/g, '')).toBe(await t.textContent());
      expect(await cutByCss(t)).toBe(false);
      expect(await cutByCss(tile.locator('.caption .a'))).toBe(false);
      expect(inside(await box(tile.locator('.caption')), await box(tile))).toBe(true);
      expect(inside(await box(tile), view)).toBe(true);
    }
    await page.screenshot({ path: path.join(SHOTS, `compare-${size.width}x${size.height}.png`) });
  }
});

test('keyboard: the style grid is one Tab stop; dialogs trap focus and keep it after an export', async ({ page }) => {
  await page.setViewportSize(LARGE);
  await openGallery(page, PHOTOS);
  await page.getByRole('option', { name: /01-lake/ }).click();
  // One Tab stop for all the styles: arrows move, Enter picks, Tab leaves the grid.
  const grid = page.getByRole('listbox', { name: 'Painting style' });
  const tiles = grid.getByRole('option');
  // The built-in styles, and any the other tests added.
  await expect(tiles.nth(STYLES.length - 1)).toBeVisible();
  expect(await tiles.evaluateAll((els) => els.filter((e) => (e as HTMLElement).tabIndex === 0).length)).toBe(1);
  await grid.locator('[tabindex="0"]').focus();
  await page.keyboard.press('Home');
  await expect(tiles.first()).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(tiles.nth(1)).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(tiles.nth(1)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).not.toBe('option');

  // The export dialog: Tab and Shift+Tab stay inside.
  // A fresh output folder: nothing there to skip.
  const out = path.join(BASE, `keyboard-out-${Date.now()}`);
  fs.mkdirSync(out);
  await post(page, '/__test/dialogs', { openFolder: PHOTOS, chooseOutputFolder: out });
  const opener = page.getByTestId('open-export');
  await opener.click();
  const dlg = page.getByTestId('export-dialog');
  await expect(dlg).toBeVisible();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press('Tab');
    expect(await focusedInside(page, 'export-dialog'), `Tab ${i + 1}`).toBe(true);
  }
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Shift+Tab');
    expect(await focusedInside(page, 'export-dialog'), `Shift+Tab ${i + 1}`).toBe(true);
  }
  // The resolution picker's presets, and a total for what is chosen.
  await dlg.getByLabel('Output size').selectOption('1280');
  await expect(page.getByLabel('Export size', { exact: true })).toHaveValue('1280');
  await expect(dlg.getByTestId('export-total')).toContainText('1 photo');
  await dlg.getByRole('button', { name: 'Choose…' }).click();
  await expect(dlg.getByTestId('outdir')).toContainText(path.basename(out));
  await page.screenshot({ path: path.join(SHOTS, 'export-dialog-1440x900.png') });
  await dlg.getByRole('button', { name: 'Export', exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(dlg.getByTestId('export-report')).toContainText('1 exported', { timeout: 60_000 });
  // Finished: focus is on the next step, not on <body>, and Escape still closes.
  await expect(dlg.getByRole('button', { name: 'Open output folder' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dlg).toBeHidden();
  await expect(opener).toBeFocused();
});

test('first launch without a usable GPU is calm; the empty state opens a folder', async ({ page }) => {
  for (const size of [LARGE, SMALL]) {
    await page.setViewportSize(size);
    await post(page, '/__test/dialogs', { openFolder: PHOTOS, chooseOutputFolder: OUT });
    await page.goto(URL_);
    // Automatic device on a computer whose GPU cannot be used: the CPU, said calmly.
    await setSettings(page, { device: 'auto' });
    const provider = page.getByTestId('provider');
    await expect(provider).toHaveText('Painting on the CPU', { timeout: 30_000 });
    await expect(page.getByTestId('fallback')).toHaveCount(0);
    await expect(page.locator('.status')).not.toContainText('Fell back');
    await expect(page.getByTestId('empty-open-folder')).toBeVisible();
    await page.screenshot({ path: path.join(SHOTS, `first-launch-${size.width}x${size.height}.png`) });
  }
  // Diagnostics keeps the details, as information rather than as failures.
  await page.getByRole('button', { name: 'Diagnostics' }).click();
  const diag = page.getByTestId('diagnostics-dialog');
  await expect(diag.getByText('Provider cpu')).toBeVisible({ timeout: 30_000 });
  await expect(diag.locator('li.bad')).toHaveCount(0);
  await page.screenshot({ path: path.join(SHOTS, 'diagnostics-1024x700.png') });
  await page.keyboard.press('Escape');
  await setSettings(page, { device: 'cpu' });
  // The empty state's button opens a folder as the toolbar's does.
  await page.getByTestId('empty-open-folder').click();
  await expect(page.getByTestId('gallery-grid')).toBeVisible();
  await expect(page.getByTestId('empty-state')).toHaveCount(0);
});

test('a read-only output folder is reported when it is chosen, before Export', async ({ page }) => {
  // A read-only tmpfs: root ignores permission bits, so only a read-only mount is really unwritable.
  const ro = path.join(BASE, `read-only-${Date.now()}`);
  fs.mkdirSync(ro);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro], { stdio: 'ignore' });
  } catch {
    fs.chmodSync(ro, 0o555);
    test.skip(process.getuid?.() === 0, 'root without mount rights cannot make a read-only folder');
  }
  try {
    await page.setViewportSize(SMALL);
    await openGallery(page, PHOTOS);
    await post(page, '/__test/dialogs', { openFolder: PHOTOS, chooseOutputFolder: ro });
    await page.getByTestId('open-export').click();
    const dlg = page.getByTestId('export-dialog');
    await dlg.getByRole('button', { name: 'Choose…' }).click();
    await expect(dlg.getByTestId('outdir-problem')).toHaveText(/^Cannot write to .*read-only-\d+: (it is on a read-only file system|it is not writable)\. Choose another folder\.$/);
    await page.screenshot({ path: path.join(SHOTS, 'export-read-only-1024x700.png') });
    await dlg.getByRole('button', { name: 'Export', exact: true }).click();
    await expect(dlg.getByRole('alert').first()).toContainText('Cannot write to');
    await expect(dlg.getByTestId('export-progress')).toHaveCount(0);
  } finally {
    try {
      execFileSync('umount', [ro], { stdio: 'ignore' });
    } catch {
      fs.chmodSync(ro, 0o755);
    }
  }
});

test('without a chosen folder, exports go to Pictures/Pastiche, shown in the dialog', async ({ page }) => {
  await setSettings(page, { outputDir: null });
  await openGallery(page, PHOTOS);
  await page.getByRole('option', { name: /02-city/ }).click();
  await page.getByTestId('open-export').click();
  const dlg = page.getByTestId('export-dialog');
  // The host's "Pictures" folder is inside its user-data folder, never the real one.
  const pictures = path.join(USER_DATA, 'Pictures', 'Pastiche');
  await expect(dlg.getByTestId('outdir')).toHaveText(pictures);
  await expect(dlg.getByTestId('outdir-problem')).toHaveCount(0);
  await dlg.getByLabel('Output size').selectOption('1280');
  await dlg.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(dlg.getByTestId('export-report')).toContainText(/1 exported|1 skipped/, { timeout: 60_000 });
  expect(fs.readdirSync(pictures).some((f) => f.startsWith('02-city'))).toBe(true);
});
