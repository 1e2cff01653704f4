// Security policy of the Electron shell, kept free of runtime Electron imports so
// it can be unit-tested under plain Node.

import type { WebPreferences } from 'electron';

export const SCHEME = 'pastiche';
/** Origin of the app's own pages. Only frames from here may call IPC. */
export const APP_ORIGIN = `${SCHEME}://app`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** Media hosts served by the protocol handler besides the app itself. */
export const MEDIA_HOSTS = ['photo', 'thumb', 'result', 'style'] as const;

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // No 'unsafe-inline': Svelte sets dynamic styles through CSSOM, which CSP does not restrict.
  "style-src 'self'",
  `img-src 'self' ${SCHEME}: data: blob:`,
  "connect-src 'self'",
  "font-src 'self'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function webPreferences(preload: string, devTools: boolean): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools,
  };
}

/** The app never navigates: its single page is the whole UI. A reload of the entry is the only exception. */
export function isAllowedNavigation(url: string): boolean {
  return url === APP_ENTRY;
}

/** Links the user may open in the system browser (style provenance pages). */
export function isExternalLinkAllowed(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
