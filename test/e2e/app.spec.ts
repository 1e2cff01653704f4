// The renderer in Debian Chromium against the e2e host (same contract, same
// handlers, real engine on the real built-in pack unless PASTICHE_MODELS_DIR says otherwise,
// real Kodak photos where ../shared is present).

import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { HOSTILE_NAME } from './fixtures.js';
import { recordShown, shownSoFar } from './record-shown.js';

const URL_ = process.env['E2E_URL'] ?? '';
const PHOTOS = process.env['E2E_PHOTOS'] ?? '';
const BIG = process.env['E2E_BIG'] ?? '';
const MANY = process.env['E2E_MANY'] ?? '';
const OUT = process.env['E2E_OUT'] ?? '';
const SHOTS = path.join(process.cwd(), 'test-results', 'screenshots');
/** Photos in the test folder (recursively), the corrupt one included. */
const COUNT = Number(process.env['E2E_PHOTO_COUNT'] ?? '7');
/** Real photos (Kodak) in the test folder; empty without ../shared. */
const REAL = JSON.parse(process.env['E2E_REAL'] ?? '[]') as string[];
const STYLES = JSON.parse(process.env['E2E_STYLES'] ?? '[]') as string[];
const MODELS = JSON.parse(process.env['E2E_MODELS'] ?? '[]') as string[];
const MODELS_DIR = process.env['E2E_MODELS_DIR'] ?? '';
const USER_DATA = process.env['E2E_USER_DATA'] ?? '';
/** The photo shown in screenshots: a real one where available. */
const SHOWCASE = REAL.includes('kodim23.jpg') ? /kodim23\.jpg/ : REAL[0] ? new RegExp(REAL[0].replace('.', '\\.')) : /01-lake/;
/** A second real photo for the light-theme shot (a portrait where possible). */
const SHOWCASE_2 = REAL.includes('kodim19.jpg') ? /kodim19\.jpg/ : /03-portrait/;

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

/** settings:set as the page would send it (the Origin header is what the host checks). */
async function setSettings(page: Page, patch: Record<string, unknown>): Promise<void> {
  const r = await page.request.post(`${URL_}/ipc/settings:set`, { data: { args: [patch] }, headers: { origin: URL_ } });
  expect(await r.json()).toMatchObject({ ok: true });
}

async function openGallery(page: Page, folder = PHOTOS): Promise<void> {
  await setDialogs(page, { openFolder: folder, chooseOutputFolder: OUT });
  // The smallest preview preset, unless a test picks another in the UI: keeps the real model quick.
  await setSettings(page, { previewSize: 768 });
  await page.goto(URL_);
  await expect(page.locator('[data-style]').first()).toBeVisible();
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('gallery-grid')).toBeVisible();
}

test.beforeAll(() => {
  expect(URL_, 'global setup must start the host').not.toBe('');
  expect(STYLES.length, 'global setup must list the styles').toBeGreaterThan(1);
});

test('opens a folder: virtualized grid with thumbnails, hostile names rendered as text', async ({ page }) => {
  const w = watch(page);
  await openGallery(page);
  const cells = page.getByTestId('gallery-grid').getByRole('option');
  await expect(cells).toHaveCount(COUNT);
  // The file name shows literally; had it been parsed as HTML, onerror would have called alert().
  await expect(page.getByText(HOSTILE_NAME, { exact: true })).toHaveCount(2); // gallery cell + preview title
  await expect(page.locator('.cell .name').first()).toHaveText(HOSTILE_NAME);
  await expect(page.locator('.cell img[src=x]')).toHaveCount(0);
  // Thumbnails decode (naturalWidth > 0) except the corrupt photo, which shows an error tile.
  await expect(page.getByTestId('thumb-error')).toHaveCount(1);
  await expect.poll(() => page.locator('.cell img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)).toBe(COUNT - 1);
  // Style thumbnails were rendered by the models from the bundled sample photo (and decode).
  await expect.poll(() => page.locator('.style .thumb img').count(), { timeout: 60_000 }).toBe(STYLES.length);
  await expect.poll(() => page.locator('.style .thumb img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)).toBe(STYLES.length);
  // The screenshot shows a real photo in the preview.
  await page.getByRole('option', { name: SHOWCASE }).click();
  await expect(page.getByTestId('preview-phase')).toContainText('CPU', { timeout: 30_000 });
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
  await expect(page.getByText(`${COUNT} selected`)).toBeVisible();
  // Every cell in the DOM (the grid is virtualized) shows as selected.
  const inDom = await page.locator('.cell').count();
  await expect(page.locator('.cell.selected')).toHaveCount(inDom);
});

test('preview: pick a style, refine, drag and key the compare slider', async ({ page }) => {
  const w = watch(page);
  await openGallery(page);
  await page.getByRole('option', { name: /01-lake/ }).click();
  await page.locator(`[data-style="${STYLES[1]}"]`).click();
  await expect(page.locator(`[data-style="${STYLES[1]}"]`)).toHaveAttribute('aria-selected', 'true');
  // Fast preview first (512), then the refined one at the preview size picked here (1080).
  await page.getByLabel('Preview size').selectOption('1080');
  const phase = page.getByTestId('preview-phase');
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
  // The screenshot: a real photo, the slider in the middle.
  await page.getByRole('option', { name: SHOWCASE }).click();
  await expect(phase).toContainText('CPU', { timeout: 30_000 });
  await handle.focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i++) await page.keyboard.press('PageUp');
  await page.screenshot({ path: path.join(SHOTS, 'preview-compare.png') });
  // 100%: the 1:1 view of the export (one-to-one.spec.ts compares it with the file), and back.
  await page.getByRole('button', { name: '100%' }).click();
  await expect(page.getByTestId('one-to-one')).toBeVisible();
  await page.getByRole('button', { name: 'Fit' }).click();
  expect(w.problems).toEqual([]);
});

/** Mean |diff| (0-255) of two encoded images, the second reduced (Lanczos) to the first's size. */
async function diffToReduced(small: Buffer, large: Buffer): Promise<{ diff: number; width: number; height: number }> {
  const a = await sharp(small).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const b = await sharp(large).removeAlpha().resize(a.info.width, a.info.height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b[i]!);
  return { diff: sum / a.data.length, width: a.info.width, height: a.info.height };
}

test('export: two styles of one photo into one folder, both kept; the same again is skipped; its recipe reopens', async ({ page }) => {
  const w = watch(page);
  const out = path.join(OUT, `two-styles-${Date.now()}`);
  fs.mkdirSync(out, { recursive: true });
  await setSettings(page, { exportSize: 512, skipExisting: true, nameTemplate: '{name}_{style}', strength: 1, preserveColors: false, brush: 1024 });
  await openGallery(page);
  await setDialogs(page, { openFolder: PHOTOS, chooseOutputFolder: out });
  await page.getByRole('option', { name: /01-lake/ }).click();
  const dlg = page.getByTestId('export-dialog');
  const exportIn = async (style: string, expected: string): Promise<void> => {
    await page.locator(`[data-style="${style}"]`).click();
    await page.getByTestId('open-export').click();
    await expect(dlg.getByTestId('name-example')).toHaveText(`e.g. 01-lake_${style}.jpg`);
    await dlg.getByRole('button', { name: 'Choose…' }).click();
    await dlg.getByLabel('Format').selectOption('jpg');
    await dlg.getByRole('button', { name: 'Export', exact: true }).click();
    await expect(dlg.getByTestId('export-report')).toContainText(expected, { timeout: 120_000 });
    await dlg.getByRole('button', { name: 'Close' }).click();
    await expect(dlg).toBeHidden();
  };
  const [a, b] = [STYLES[0]!, STYLES[1]!];
  await exportIn(a, '1 exported · 0 skipped (already exported) · 0 failed');
  await exportIn(b, '1 exported · 0 skipped (already exported) · 0 failed');
  const files = [`01-lake_${a}.jpg`, `01-lake_${b}.jpg`];
  expect(fs.readdirSync(out).sort()).toEqual([...files].sort());
  const [pa, pb] = await Promise.all(files.map((f) => sharp(path.join(out, f)).raw().toBuffer()));
  let diff = 0;
  for (let i = 0; i < pa!.length; i++) diff += Math.abs(pa![i]! - pb![i]!);
  expect(diff / pa!.length).toBeGreaterThan(5);
  // The same photo with the same settings again: skipped, nothing rewritten.
  const mtime = fs.statSync(path.join(out, files[1]!)).mtimeMs;
  await exportIn(b, '0 exported · 1 skipped (already exported) · 0 failed');
  expect(fs.statSync(path.join(out, files[1]!)).mtimeMs).toBe(mtime);
  // "Use settings from a painted file…" selects the style that painted it.
  await setDialogs(page, { chooseRecipe: path.join(out, files[0]!) });
  await page.getByTestId('open-export').click();
  await dlg.getByRole('button', { name: 'Use settings from a painted file…' }).click();
  await expect(dlg.getByTestId('name-example')).toHaveText(`e.g. 01-lake_${a}.jpg`);
  await dlg.getByRole('button', { name: 'Close' }).click();
  await expect(page.locator(`[data-style="${a}"]`)).toHaveAttribute('aria-selected', 'true');
  expect(w.problems).toEqual([]);
});

test('side by side: the selected photos in every style shown, one batch, with a contact sheet', async ({ page }) => {
  const w = watch(page);
  const out = path.join(OUT, `sbs-export-${Date.now()}`);
  fs.mkdirSync(out, { recursive: true });
  const [a, b] = [STYLES[0]!, STYLES[1]!];
  // Later tests expect the comparison and size they left: put them back at the end.
  const saved = ((await (await page.request.post(`${URL_}/ipc/settings:get`, { data: { args: [] }, headers: { origin: URL_ } })).json()) as { value: { compareStyles: string[]; exportSize: unknown } })
    .value;
  // Restored even when an assertion fails, so one failure does not cascade into later tests.
  try {
    await setSettings(page, { exportSize: 256, skipExisting: true, nameTemplate: '{name}_{style}', compareStyles: [a, b] });
    await openGallery(page);
    await setDialogs(page, { openFolder: PHOTOS, chooseOutputFolder: out });
    await page.getByRole('option', { name: /01-lake/ }).click();
    await page.getByRole('option', { name: /02-city/ }).click({ modifiers: ['ControlOrMeta'] });
    await page.getByRole('tab', { name: 'Side by side' }).click();
    await page.getByTestId('open-export').click();
    const dlg = page.getByTestId('export-dialog');
    await expect(dlg.getByLabel(/Selected photos \(2\)/)).toBeChecked();
    await expect(dlg.getByLabel('Every style of the side-by-side view (2), one file each')).toBeChecked();
    await dlg.getByLabel('Contact sheet of the photos × styles').check();
    await dlg.getByRole('button', { name: 'Choose…' }).click();
    await dlg.getByLabel('Format').selectOption('jpg');
    await dlg.getByRole('button', { name: 'Export', exact: true }).click();
    await expect(dlg.getByTestId('export-report')).toContainText('4 exported · 0 skipped (already exported) · 0 failed', { timeout: 120_000 });
    await expect(dlg.getByTestId('contact-sheet')).toHaveText('Contact sheet: contact-sheet.jpg');
    expect(fs.readdirSync(out).sort()).toEqual(['01-lake_' + a + '.jpg', '01-lake_' + b + '.jpg', '02-city_' + a + '.jpg', '02-city_' + b + '.jpg', 'contact-sheet.jpg'].sort());
    // Two rows (the photos) of three columns (the photo, then each style).
    const sheet = await sharp(path.join(out, 'contact-sheet.jpg')).metadata();
    expect(sheet.width).toBe(3 * 400 + 4 * 8);
    await dlg.getByRole('button', { name: 'Close' }).click();
  } finally {
    await setSettings(page, { compareStyles: saved.compareStyles, exportSize: saved.exportSize });
  }
  expect(w.problems).toEqual([]);
});

test('brush: the preview is the export downscaled', async ({ page }) => {
  const w = watch(page);
  const out = path.join(OUT, `brush-${Date.now()}`);
  fs.mkdirSync(out, { recursive: true });
  await setSettings(page, { exportSize: 'original', brush: 1024, skipExisting: false });
  await openGallery(page);
  await setDialogs(page, { openFolder: PHOTOS, chooseOutputFolder: out });
  await page.getByRole('option', { name: /01-lake/ }).click();
  await page.locator(`[data-style="${STYLES[0]}"]`).click();
  // The Brush control beside Strength: 512 px, so a 1600 px export is two-scale and the 768 px
  // preview is larger than the brush (its detail pass runs too).
  const brush = page.getByLabel('Brush size');
  await brush.fill('2');
  await expect(page.getByTestId('brush-value')).toHaveText('512 px');
  const phase = page.getByTestId('preview-phase');
  await expect(phase).toContainText('768×512', { timeout: 60_000 });
  // The estimate names the passes the export will run.
  await expect(page.getByTestId('estimate')).toContainText('brush pass 512×341 + detail pass', { timeout: 15_000 });
  await page.locator('.styles').screenshot({ path: path.join(SHOTS, 'brush-control.png') });
  const src = await page.getByAltText('Stylized').getAttribute('src');
  const preview = Buffer.from(await (await page.request.get(`${URL_}${src}`)).body());
  await page.getByTestId('open-export').click();
  const dlg = page.getByTestId('export-dialog');
  await dlg.getByRole('button', { name: 'Choose…' }).click();
  await dlg.getByLabel('Format').selectOption('png');
  await dlg.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(dlg.getByTestId('export-report')).toContainText('1 exported', { timeout: 120_000 });
  const exported = fs.readFileSync(path.join(out, `01-lake_${STYLES[0]}.png`));
  expect(await sharp(exported).metadata()).toMatchObject({ width: 1600, height: 1067 });
  const same = await diffToReduced(preview, exported);
  expect(same).toMatchObject({ width: 768, height: 512 });
  // Threshold 5 of 255: the preview is JPEG q85 4:2:0, which alone moves this painting by 3.2 at
  // 768 px (the export reduced, encoded the same way); it is composed at the detail pass's size
  // (923 px) and reduced once, the export at 1600 px and reduced once: about 1 more (measured
  // 4.3). The same photo painted at the preview's own size, as before the brush, is another
  // picture: far above it.
  expect(same.diff).toBeLessThan(5);
  const own = await page.request.post(`${URL_}/ipc/preview:render`, {
    data: { args: [path.join(PHOTOS, '01-lake.jpg'), { style: STYLES[0], size: 768, exportSize: 'original', brush: 'native', strength: 1, preserveColors: false }, 'own'] },
    headers: { origin: URL_ },
  });
  const ownId = ((await own.json()) as { value: { id: string } }).value.id;
  const ownImg = Buffer.from(await (await page.request.get(`${URL_}/media/result/${ownId}`)).body());
  const other = await diffToReduced(ownImg, exported);
  console.log(`brush e2e: preview vs downscaled export ${same.diff.toFixed(2)}, painted at the preview size ${other.diff.toFixed(2)}`);
  expect(other.diff).toBeGreaterThan(2 * same.diff);
  await page.keyboard.press('Escape');
  expect(w.problems).toEqual([]);
});

test('add a painting as a style: progress, preview on the photo, then yours in the picker; rename and delete it', async ({ page }) => {
  test.skip(!process.env['PASTICHE_SHARED_DIR'], 'no trainer data (../shared/data)');
  test.setTimeout(240_000);
  const w = watch(page);
  await openGallery(page);
  await page.getByRole('option', { name: SHOWCASE }).click();
  // Any image stands for the painting here; the real learner runs 20 steps (the host's learnSteps).
  await setDialogs(page, { choosePainting: path.join(PHOTOS, '02-city.png') });
  await page.getByRole('button', { name: 'Add painting as a style…' }).click();
  const dlg = page.getByTestId('add-style-dialog');
  await dlg.getByRole('button', { name: 'Choose painting…' }).click();
  await expect(dlg).toContainText('02-city.png');
  await dlg.getByLabel('Title').fill('City study');
  await dlg.getByLabel('Artist').fill('Me');
  await expect(dlg.getByLabel('Id')).toHaveValue('city-study');
  // Recorded in the page: the dialog closes by itself when done, so on a fast machine its progress
  // and preview may come and go between two looks.
  await recordShown(page, 'learnProgress', '[data-testid="add-style-progress"]');
  await recordShown(page, 'learnPreview', '[data-testid="add-style-dialog"] .preview img');
  await dlg.getByRole('button', { name: 'Learn style' }).click();
  await expect.poll(async () => (await shownSoFar(page, 'learnProgress')).some((t) => t.includes('Step ')), { timeout: 120_000 }).toBe(true);
  await expect.poll(async () => (await shownSoFar(page, 'learnPreview')).some((src) => src !== '')).toBe(true);
  await page.screenshot({ path: path.join(SHOTS, 'add-style.png') });
  await expect(dlg).toBeHidden({ timeout: 120_000 });
  const mine = page.locator('[data-style="city-study"]');
  await expect(mine).toContainText('yours');
  await expect(mine).toHaveAttribute('aria-selected', 'true');
  await expect(page.locator(`[data-style="${STYLES[0]}"]`)).not.toContainText('yours');
  await page.getByRole('button', { name: 'Rename…' }).click();
  await page.getByLabel('New title').fill('City at dusk');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(mine).toContainText('City at dusk');
  await page.screenshot({ path: path.join(SHOTS, 'your-style.png') });
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByTestId('your-style').getByRole('button', { name: 'Delete' }).click();
  await expect(mine).toHaveCount(0);
  // A built-in style offers neither rename nor delete.
  await page.locator(`[data-style="${STYLES[0]}"]`).click();
  await expect(page.getByTestId('your-style')).toHaveCount(0);
  expect(w.problems).toEqual([]);
});

/**
 * The real `pastiche` command on the host's models and user-data folder: its default styles folder
 * is the app's (<user data>/styles). `styles add` runs the real learner on the global setup's trainer data.
 */
async function pastiche(...args: string[]): Promise<string> {
  const env = { ...process.env, PASTICHE_USER_DATA: USER_DATA };
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(process.cwd(), 'bin', 'pastiche.js'), ...args, '--models-dir', MODELS_DIR], { env, encoding: 'utf8', timeout: 180_000 });
  return stdout;
}

test('a style added from the CLI appears in the open app, and one added in the app is in the CLI', async ({ page }) => {
  test.skip(!process.env['PASTICHE_SHARED_DIR'], 'no trainer data (../shared/data)');
  test.setTimeout(360_000);
  const w = watch(page);
  await openGallery(page);
  await page.getByRole('option', { name: SHOWCASE }).click();
  // From the CLI while the app is open: no reload, the picker follows the styles folder.
  await pastiche('styles', 'add', path.join(PHOTOS, '02-city.png'), '--id', 'cli-harbour', '--title', 'Harbour from the CLI', '--steps', '3');
  const fromCli = page.locator('[data-style="cli-harbour"]');
  await expect(fromCli).toContainText('Harbour from the CLI');
  await expect(fromCli).toContainText('yours');
  await fromCli.click();
  await expect(page.getByTestId('your-style')).toBeVisible();
  await page.screenshot({ path: path.join(SHOTS, 'style-from-cli.png') });
  await pastiche('styles', 'rename', 'cli-harbour', '--title', 'Harbour at dusk');
  await expect(fromCli).toContainText('Harbour at dusk');
  await pastiche('styles', 'remove', 'cli-harbour');
  await expect(fromCli).toHaveCount(0);

  // From the app: learned and retitled there, listed by the CLI as the user's.
  await setDialogs(page, { choosePainting: path.join(PHOTOS, '02-city.png') });
  await page.getByRole('button', { name: 'Add painting as a style…' }).click();
  const dlg = page.getByTestId('add-style-dialog');
  await dlg.getByRole('button', { name: 'Choose painting…' }).click();
  await dlg.getByLabel('Title').fill('Harbour in the app');
  await expect(dlg.getByLabel('Id')).toHaveValue('harbour-in-the-app');
  await dlg.getByRole('button', { name: 'Learn style' }).click();
  await expect(dlg).toBeHidden({ timeout: 120_000 });
  const fromApp = page.locator('[data-style="harbour-in-the-app"]');
  await expect(fromApp).toHaveAttribute('aria-selected', 'true');
  await page.getByRole('button', { name: 'Rename…' }).click();
  await page.getByLabel('New title').fill('Harbour, retitled');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(fromApp).toContainText('Harbour, retitled');
  const listed = JSON.parse(await pastiche('styles', '--json')) as { id: string; title: string; source: string }[];
  expect(listed.find((s) => s.id === 'harbour-in-the-app')).toMatchObject({ title: 'Harbour, retitled', source: 'user' });
  expect(listed.find((s) => s.id === STYLES[0])).toMatchObject({ source: 'builtin' });
  expect(listed.some((s) => s.id === 'cli-harbour')).toBe(false);
  await page.getByRole('button', { name: 'Delete…' }).click();
  await page.getByTestId('your-style').getByRole('button', { name: 'Delete' }).click();
  await expect(fromApp).toHaveCount(0);
  const after = JSON.parse(await pastiche('styles', '--json')) as { id: string }[];
  expect(after.some((s) => s.id === 'harbour-in-the-app')).toBe(false);
  expect(w.problems).toEqual([]);
});

test('a corrupt photo shows an error in the preview and a toast', async ({ page }) => {
  await openGallery(page);
  await page
    .getByTestId('gallery-grid')
    .getByRole('option', { name: /04-corrupt/ })
    .click();
  const err = page.getByTestId('preview-error');
  await expect(err).toBeVisible({ timeout: 30_000 });
  await expect(err).toContainText('04-corrupt.jpg');
  await expect(page.getByTestId('toast').filter({ hasText: 'Preview failed' })).toBeVisible();
});

test('side by side: renders one tile per style, progressively; click picks for export', async ({ page }) => {
  const w = watch(page);
  await openGallery(page);
  await page.getByRole('option', { name: SHOWCASE }).click();
  await page.getByRole('tab', { name: 'Side by side' }).click();
  const tiles = page.getByTestId('sbs-tile');
  const n = Math.min(4, STYLES.length);
  await expect(tiles).toHaveCount(n);
  await expect(page.locator('[data-testid="sbs-tile"][data-ready="true"]')).toHaveCount(n, { timeout: 40_000 });
  await tiles.nth(2).click();
  await expect(tiles.nth(2)).toHaveAttribute('aria-pressed', 'true');
  await expect(tiles.nth(2)).toContainText('For export');
  await page.screenshot({ path: path.join(SHOTS, 'side-by-side.png') });
  // Removing a style from the comparison removes its tile.
  const chips = page.getByRole('group', { name: 'Styles to compare' }).getByRole('button');
  await chips.first().click();
  await expect(tiles).toHaveCount(n - 1);
  // And adding it back restores it (the choice persists in the settings for the next tests).
  await chips.first().click();
  await expect(tiles).toHaveCount(n);
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
  // Recorded in the page: on a fast machine the ETA may show only between two looks.
  await recordShown(page, 'exportProgress', '[data-testid="export-progress"] .progress-line');
  await dlg.getByRole('button', { name: 'Export', exact: true }).click();
  // Progress with an ETA once the first photos are done (real model, real timings).
  await expect.poll(async () => (await shownSoFar(page, 'exportProgress')).some((t) => /left$/.test(t)), { timeout: 60_000 }).toBe(true);
  await page.screenshot({ path: path.join(SHOTS, 'batch-dialog.png') });
  const report = dlg.getByTestId('export-report');
  await expect(report).toBeVisible({ timeout: 120_000 });
  await expect(report).toContainText(`${COUNT - 1} exported`);
  await expect(report).toContainText('1 failed');
  // Failures are listed with their reasons.
  const failure = report.locator('.failures li');
  await expect(failure).toHaveCount(1);
  await expect(failure.locator('.file')).toHaveText('04-corrupt.jpg');
  await expect(failure.locator('.reason')).not.toBeEmpty();
  await expect(failure.locator('.reason')).not.toHaveText('Unknown error');
  await page.screenshot({ path: path.join(SHOTS, 'batch-report.png') });
  const written = fs.readdirSync(OUT, { recursive: true }).map(String);
  expect(written.filter((f) => f.endsWith('.webp')).length).toBeGreaterThanOrEqual(COUNT - 1);
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
  await dlg.getByRole('button', { name: 'Cancel export' }).click();
  const report = dlg.getByTestId('export-report');
  await expect(report).toContainText('Cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('toast').filter({ hasText: 'Export cancelled' })).toBeVisible();
});

test('IPC from the page refuses bad arguments with precise messages', async ({ page }) => {
  await openGallery(page);
  const results = await page.evaluate(async (styles) => {
    const p = window.pastiche;
    return [
      await p.invoke('gallery:list', '/etc/../etc'),
      await p.invoke('preview:render', '/etc/passwd', { style: styles[0]!, size: 512, exportSize: 'original', brush: 1024, strength: 1, preserveColors: false }, 'x1'),
      // Deliberately wrong types, as a compromised page could send.
      await (p.invoke as (c: string, ...a: unknown[]) => Promise<unknown>)('settings:set', { previewSize: 'abc' }),
      await (p.invoke as (c: string, ...a: unknown[]) => Promise<unknown>)('styles:thumbnail', '../x', { photo: null, brush: 1024, exportSize: 'original' }),
      await (p.invoke as (c: string, ...a: unknown[]) => Promise<unknown>)('nope:channel'),
    ];
  }, STYLES);
  expect(results[0]).toMatchObject({ ok: false, error: { code: 'bad-argument', message: expect.stringContaining("'..'") } });
  expect(results[1]).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
  expect(results[2]).toMatchObject({ ok: false, error: { code: 'bad-argument', message: "Expected integer between 64 and 4096 for previewSize but received 'abc'" } });
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
  await page.getByRole('option', { name: SHOWCASE_2 }).click();
  await expect(page.getByTestId('preview-phase')).toContainText('CPU', { timeout: 30_000 });
  await page.screenshot({ path: path.join(SHOTS, 'light-theme.png') });
  await page.getByRole('button', { name: /Switch to dark theme/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('dropped paths: only what the (simulated) preload saw dropped opens', async ({ page }) => {
  const w = watch(page);
  // A folder no test has opened yet.
  const dropped = fs.mkdtempSync(path.join(process.env['E2E_BASE'] ?? '', 'dropped-'));
  for (const f of ['01-lake.jpg', '02-city.png']) fs.copyFileSync(path.join(PHOTOS, f), path.join(dropped, f));
  await setDialogs(page, { openFolder: PHOTOS, chooseOutputFolder: OUT });
  await page.goto(URL_);
  await expect(page.locator('[data-style]').first()).toBeVisible();
  // A compromised page naming a folder nobody dropped gets nothing (and no new allowed root).
  const refused = await page.evaluate((dir) => window.pastiche.invoke('gallery:addPaths', [dir]), dropped);
  expect(refused).toMatchObject({ ok: false, error: { code: 'not-allowed', message: expect.stringContaining('not dropped on this window') } });
  const media = await page.request.get(`${URL_}/media/photo/${encodeURIComponent(path.join(dropped, '01-lake.jpg'))}`);
  expect(media.status()).toBe(403);
  // A "real" drop: the host records it as the preload would, then the page's drop handler runs.
  const r = await page.request.post(`${URL_}/__test/drop`, { data: { paths: [dropped] } });
  expect(await r.json()).toEqual({ recorded: 1 });
  await page.evaluate((dir) => {
    (window as unknown as { __e2eDropPaths: Record<string, string> }).__e2eDropPaths = { dropped: dir };
    const dt = new DataTransfer();
    dt.items.add(new File([], 'dropped'));
    document.querySelector('.shell')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, dropped);
  await expect(page.getByTestId('gallery-grid').getByRole('option')).toHaveCount(2);
  await expect(page.locator('.left-head .folder')).toHaveText(path.basename(dropped));
  expect((await page.request.get(`${URL_}/media/photo/${encodeURIComponent(path.join(dropped, '01-lake.jpg'))}`)).status()).toBe(200);
  // Used once: the same call again is refused.
  const again = await page.evaluate((dir) => window.pastiche.invoke('gallery:addPaths', [dir]), dropped);
  expect(again).toMatchObject({ ok: false, error: { code: 'not-allowed' } });
  expect(w.problems).toEqual([]);
});

test('diagnostics: engine checks from the real engine; the device applies without restart', async ({ page }) => {
  await page.goto(URL_);
  await page.getByRole('button', { name: 'Diagnostics' }).click();
  const dlg = page.getByTestId('diagnostics-dialog');
  await expect(dlg).toBeVisible();
  await expect(dlg.getByText('Provider cpu')).toBeVisible({ timeout: 30_000 });
  for (const m of MODELS) await expect(dlg.getByText(`Model ${m}`, { exact: true })).toBeVisible();
  const device = dlg.getByLabel('Inference device');
  const state = dlg.getByTestId('engine-state');
  await expect(device).toHaveValue('cpu');
  // Automatic: a new engine starts right away; without a GPU it says it fell back to the CPU.
  await device.selectOption('auto');
  await expect(state).toContainText(/^Running on [A-Z]+/, { timeout: 30_000 });
  await expect(dlg.getByText('Provider cpu')).toBeVisible({ timeout: 30_000 });
  // Back to CPU only: replaced again, no fallback.
  await device.selectOption('cpu');
  await expect(state).toHaveText('Running on CPU', { timeout: 30_000 });
  await expect(page.getByTestId('provider')).not.toContainText('requested');
  await page.keyboard.press('Escape');
  await expect(dlg).toBeHidden();
  // The new engine renders previews.
  await setDialogs(page, { openFolder: PHOTOS, chooseOutputFolder: OUT });
  await page.getByTestId('open-folder').click();
  await expect(page.getByTestId('preview-phase')).toContainText('CPU', { timeout: 30_000 });
});
