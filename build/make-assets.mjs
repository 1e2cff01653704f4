// Generates the app icon (PNG 1024 + 512 and a Linux icon set) and the bundled
// sample photo that style thumbnails are rendered from. Deterministic: rerun
// after editing and commit the outputs.
//   node build/make-assets.mjs
import sharp from 'sharp';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

// Icon: a painter's palette-like rounded square with brush strokes.
const icon = `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#1d2029"/><stop offset="1" stop-color="#0d0e12"/>
    </linearGradient>
    <linearGradient id="s1" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#f1c88c"/><stop offset="1" stop-color="#e3a55b"/></linearGradient>
    <linearGradient id="s2" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#c2553d"/><stop offset="1" stop-color="#e07a4f"/></linearGradient>
    <linearGradient id="s3" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#4458c9"/><stop offset="1" stop-color="#6f86f0"/></linearGradient>
    <linearGradient id="s4" x1="0" y1="0" x2="1" y2="0"><stop offset="0" stop-color="#3f9b74"/><stop offset="1" stop-color="#6cc79b"/></linearGradient>
  </defs>
  <rect x="64" y="64" width="896" height="896" rx="200" fill="url(#bg)"/>
  <path d="M220 330 C 380 250, 600 420, 804 300" stroke="url(#s1)" stroke-width="96" stroke-linecap="round" fill="none"/>
  <path d="M220 480 C 420 400, 580 560, 804 450" stroke="url(#s2)" stroke-width="96" stroke-linecap="round" fill="none"/>
  <path d="M220 630 C 400 560, 620 700, 804 600" stroke="url(#s3)" stroke-width="96" stroke-linecap="round" fill="none"/>
  <path d="M220 780 C 420 710, 600 840, 804 750" stroke="url(#s4)" stroke-width="80" stroke-linecap="round" fill="none"/>
</svg>`;

// Sample photo: a synthetic landscape with sky, sun, mountains, lake and trees: enough
// structure (edges, gradients, flat areas) for a style's character to show in a thumbnail.
const sample = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 640 480">
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3d6fb6"/><stop offset="0.6" stop-color="#9cc3e6"/><stop offset="1" stop-color="#f3d9a8"/></linearGradient>
    <linearGradient id="lake" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#5b87b8"/><stop offset="1" stop-color="#1f3d5e"/></linearGradient>
    <radialGradient id="sun" cx="0.5" cy="0.5" r="0.5"><stop offset="0" stop-color="#fff6d8"/><stop offset="1" stop-color="#ffd27a"/></radialGradient>
  </defs>
  <rect width="640" height="300" fill="url(#sky)"/>
  <circle cx="470" cy="120" r="46" fill="url(#sun)"/>
  <ellipse cx="150" cy="90" rx="90" ry="22" fill="#ffffff" opacity="0.8"/>
  <ellipse cx="220" cy="70" rx="60" ry="18" fill="#ffffff" opacity="0.7"/>
  <polygon points="0,300 120,150 210,240 320,120 450,260 540,190 640,280 640,300" fill="#4b5d73"/>
  <polygon points="290,150 320,120 350,152 335,160 320,148 305,162" fill="#f4f6fa"/>
  <polygon points="0,300 80,230 180,290 260,220 380,300" fill="#3c6b46"/>
  <rect y="300" width="640" height="180" fill="url(#lake)"/>
  <polygon points="0,300 120,390 210,330 320,420 450,320 540,360 640,310 640,300" fill="#4b5d73" opacity="0.35"/>
  <rect x="0" y="400" width="640" height="80" fill="#2f5a34"/>
  <g fill="#1f3f24">
    <polygon points="40,420 70,330 100,420"/><polygon points="90,430 125,320 160,430"/><polygon points="540,425 575,335 610,425"/>
  </g>
  <rect x="300" y="360" width="90" height="14" rx="4" fill="#8a4b2a"/>
  <polygon points="330,360 345,300 345,360" fill="#f2ede4"/>
</svg>`;

fs.mkdirSync(path.join(here, 'icons'), { recursive: true });
await sharp(Buffer.from(icon)).png().toFile(path.join(here, 'icon.png'));
for (const s of [16, 32, 48, 64, 128, 256, 512, 1024]) {
  await sharp(Buffer.from(icon)).resize(s, s).png().toFile(path.join(here, 'icons', `${s}x${s}.png`));
}
// Grain, as a camera's sensor gives: a rasterized gradient alone steps every few rows, and the
// styles (trained on photos) turn each 8-bit step into a streak. Seeded, so the file is stable.
const { data, info } = await sharp(Buffer.from(sample)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
let seed = 0x9e3779b9;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = 0; i < data.length; i += 3) {
  const n = (rand() + rand() + rand() - 1.5) * 6; // roughly Gaussian, sd ~3 levels, same for R, G, B
  for (let c = 0; c < 3; c++) data[i + c] = Math.max(0, Math.min(255, Math.round(data[i + c] + n)));
}
await sharp(data, { raw: info }).jpeg({ quality: 90 }).toFile(path.join(here, 'sample-photo.jpg'));
console.log('wrote build/icon.png, build/icons/*.png, build/sample-photo.jpg');
