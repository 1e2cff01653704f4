// The 1:1 view against the export: "100%" paints the export's own pixels under the viewport, one
// export pixel to one device pixel, and they are the same crop of the exported PNG.

import { expect, test, type Locator, type Page } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import sharp, { type OutputInfo } from 'sharp';

const URL_ = process.env['E2E_URL'] ?? '';
const PHOTOS = process.env['E2E_PHOTOS'] ?? '';
const OUT = process.env['E2E_OUT'] ?? '';
const STYLES = JSON.parse(process.env['E2E_STYLES'] ?? '[]') as string[];
const SHOTS = path.join(process.cwd(), 'test-results', 'screenshots');

async function post(page: Page, route: string, data: unknown): Promise<unknown> {
  const r = await page.request.post(`${URL_}${route}`, { data, headers: { origin: URL_ } });
  expect(r.ok()).toBe(true);
  return r.json();
}

interface Shown {
  rect: { x: number; y: number; width: number; height: number };
  rgb: Buffer;
}

/** The picture the view shows and the rectangle of the export it says it is. */
async function shown(page: Page, img: Locator): Promise<Shown> {
  const [x, y, width, height] = ((await img.getAttribute('data-rect')) ?? '').split(',').map(Number) as [number, number, number, number];
  const src = (await img.getAttribute('src')) ?? '';
  const png = Buffer.from(await (await page.request.get(`${URL_}${src}`)).body());
  const rgb = await sharp(png).removeAlpha().raw().toBuffer();
  return { rect: { x, y, width, height }, rgb };
}

function meanDiff(view: Shown, full: { data: Buffer; info: OutputInfo }): number {
  const { rect } = view;
  const c = full.info.channels;
  let sum = 0;
  for (let y = 0; y < rect.height; y++) {
    for (let x = 0; x < rect.width; x++) {
      for (let k = 0; k < 3; k++) sum += Math.abs(full.data[((rect.y + y) * full.info.width + rect.x + x) * c + k]! - view.rgb[(y * rect.width + x) * 3 + k]!);
    }
  }
  return sum / (rect.width * rect.height * 3);
}

test("100%: the 1:1 view shows the exported file's own pixels, and pans", async ({ page }) => {
  test.setTimeout(240_000);
  const out = path.join(OUT, `one-to-one-${Date.now()}`);
  fs.mkdirSync(out, { recursive: true });
  await post(page, '/__test/dialogs', { openFolder: PHOTOS, chooseOutputFolder: out });
  // 1600 px photo, brush 1024: the export is two-scale (brush pass, detail pass, blend).
  await post(page, '/ipc/settings:set', { args: [{ previewSize: 768, exportSize: 'original', brush: 1024, skipExisting: false }] });
  await page.goto(URL_);
  await page.getByTestId('open-folder').click();
  await page.getByRole('option', { name: /01-lake/ }).click();
  await page.locator(`[data-style="${STYLES[0]}"]`).click();
  await expect(page.getByTestId('preview-phase')).toContainText('768×512', { timeout: 90_000 });

  await page.getByRole('button', { name: '100%' }).click();
  const view = page.getByTestId('one-to-one');
  const img = page.getByTestId('one-to-one-image');
  await expect(img).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('one-to-one-status')).toContainText('1600 × 1067 · 100 %', { timeout: 90_000 });
  const first = await shown(page, img);
  // One export pixel to one device pixel.
  const box = await img.boundingBox();
  const dpr = await page.evaluate(() => window.devicePixelRatio);
  expect(Math.round((box?.width ?? 0) * dpr)).toBe(first.rect.width);
  await page.screenshot({ path: path.join(SHOTS, 'one-to-one.png') });

  // Pan right with the keys: a new rectangle is painted from the kept passes.
  await view.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(img).not.toHaveAttribute('data-rect', `${first.rect.x},${first.rect.y},${first.rect.width},${first.rect.height}`, { timeout: 30_000 });
  await expect(page.getByTestId('one-to-one-status')).toContainText('100 %', { timeout: 30_000 });
  const panned = await shown(page, img);
  expect(panned.rect.x).toBeGreaterThan(first.rect.x);

  await page.getByTestId('open-export').click();
  const dlg = page.getByTestId('export-dialog');
  await dlg.getByRole('button', { name: 'Choose…' }).click();
  await dlg.getByLabel('Format').selectOption('png');
  await dlg.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(dlg.getByTestId('export-report')).toContainText('1 exported', { timeout: 120_000 });
  const file = fs.readdirSync(out).find((n) => n.startsWith('01-lake') && n.endsWith('.png'));
  expect(file).toBeTruthy();
  const full = await sharp(path.join(out, file ?? ''))
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect(full.info).toMatchObject({ width: 1600, height: 1067 });
  const d1 = meanDiff(first, full);
  const d2 = meanDiff(panned, full);
  console.log(`1:1 e2e: view vs export crop, mean |diff| ${d1.toFixed(3)} and ${d2.toFixed(3)} after panning (${first.rect.width}x${first.rect.height})`);
  expect(d1).toBeLessThanOrEqual(2);
  expect(d2).toBeLessThanOrEqual(2);
  await page.keyboard.press('Escape');
});

test('Fit with the native brush says it cannot show native strokes; 100% shows them', async ({ page }) => {
  await post(page, '/__test/dialogs', { openFolder: PHOTOS, chooseOutputFolder: OUT });
  await post(page, '/ipc/settings:set', { args: [{ previewSize: 768, exportSize: 'original', brush: 'native' }] });
  await page.goto(URL_);
  await page.getByTestId('open-folder').click();
  await page.getByRole('option', { name: /01-lake/ }).click();
  await page.locator(`[data-style="${STYLES[0]}"]`).click();
  await expect(page.getByTestId('preview-phase')).toContainText('768×512', { timeout: 90_000 });
  await expect(page.getByTestId('native-note')).toContainText('Fit cannot show native strokes');
  await page.screenshot({ path: path.join(SHOTS, 'native-fit-note.png') });
  await page.getByRole('button', { name: '100%' }).click();
  await expect(page.getByTestId('native-note')).toHaveCount(0);
  await expect(page.getByTestId('one-to-one-status')).toContainText('1600 × 1067 · 100 %', { timeout: 90_000 });
  await page.screenshot({ path: path.join(SHOTS, 'native-one-to-one.png') });
});
