// Style-picker strip: every style's thumbnail of one photo through the real engine, as the app
// asks for them (one at a time), timed. Compares the thumbnail the app makes (a 256x192 centre
// crop at the brush pass's scale, painted alone) with a 256 px preview of the whole photo at the
// same brush (the brush pass at full brush size, then reduced), on the first styles.
//
// usage (after `npm run build:node`): node bench/brush/thumbs.mjs PHOTO [--brush 1024] [--whole 2]
import path from 'node:path';
import { Engine } from '../../dist/electron/engine/index.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const photo = path.resolve(args[0]);
const brush = opt('--brush', '1024') === 'native' ? 'native' : Number(opt('--brush', '1024'));
const whole = Number(opt('--whole', '2'));
const engine = await Engine.create({ device: 'cpu' });
try {
  const styles = engine.styles().map((s) => s.id);
  const base = { size: 256, exportSize: 'original', brush, strength: 1, preserveColors: false, format: 'jpg', quality: 85, keepMetadata: false, stripGps: true };
  await engine.preview(photo, { ...base, style: styles[0], crop: { width: 256, height: 192 } }); // session start-up, not counted
  const t0 = performance.now();
  for (const style of styles) await engine.preview(photo, { ...base, style, crop: { width: 256, height: 192 } });
  const strip = performance.now() - t0;
  const t1 = performance.now();
  for (const style of styles.slice(0, whole)) await engine.preview(photo, { ...base, style });
  const perWhole = (performance.now() - t1) / whole;
  console.log(JSON.stringify({ photo: path.basename(photo), brush, styles: styles.length, stripMs: Math.round(strip), perThumbMs: Math.round(strip / styles.length), wholePhotoPreviewMs: Math.round(perWhole), wholeStripEstimateMs: Math.round(perWhole * styles.length) }));
} finally {
  await engine.close();
}
