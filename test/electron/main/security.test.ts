import { describe, expect, it } from 'vitest';
import { APP_ENTRY, APP_ORIGIN, CSP, isAllowedNavigation, isExternalLinkAllowed, webPreferences } from '../../../electron/main/security.js';
import { menuTemplate } from '../../../electron/main/menu-template.js';
import type { MenuItemConstructorOptions } from 'electron';

describe('CSP', () => {
  const directives = new Map(
    CSP.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

  it('locks scripts, objects, base and framing down', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('img-src')).toEqual(["'self'", 'pastiche:', 'data:', 'blob:']);
  });

  it('never allows inline or eval', () => {
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  });
});

describe('web preferences', () => {
  it('isolates and sandboxes the renderer', () => {
    const p = webPreferences('/x/preload.cjs', false);
    expect(p).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, devTools: false, allowRunningInsecureContent: false });
  });
});

describe('navigation policy', () => {
  it('allows only the app entry', () => {
    expect(APP_ENTRY.startsWith(APP_ORIGIN)).toBe(true);
    expect(isAllowedNavigation(APP_ENTRY)).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///etc/passwd')).toBe(false);
    expect(isAllowedNavigation(`${APP_ORIGIN}/other.html`)).toBe(false);
  });

  it('opens only https links externally', () => {
    expect(isExternalLinkAllowed('https://commons.wikimedia.org/x')).toBe(true);
    expect(isExternalLinkAllowed('http://example.com')).toBe(false);
    expect(isExternalLinkAllowed('file:///etc')).toBe(false);
    expect(isExternalLinkAllowed('javascript:alert(1)')).toBe(false);
    expect(isExternalLinkAllowed('not a url')).toBe(false);
  });
});

describe('application menu', () => {
  const flat = (items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] => items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flat(i.submenu) : [])]);

  it('has the usual shortcuts and sends commands', () => {
    const sent: string[] = [];
    const items = flat(menuTemplate('linux', false, (c) => sent.push(c)));
    const byAccel = new Map(items.filter((i) => i.accelerator).map((i) => [i.accelerator, i]));
    expect(byAccel.get('CmdOrCtrl+O')?.label).toBe('Open Folder…');
    expect(byAccel.get('CmdOrCtrl+E')?.label).toBe('Export…');
    byAccel.get('CmdOrCtrl+E')?.click?.({} as never, undefined, {} as never);
    expect(sent).toEqual(['export']);
    expect(items.some((i) => i.role === 'quit')).toBe(true);
    expect(items.some((i) => i.role === 'zoomIn')).toBe(true);
    // Ctrl+A must stay with text fields: no accelerator on "Select All Photos".
    expect(items.find((i) => i.label === 'Select All Photos')?.accelerator).toBeUndefined();
  });

  it('offers dev tools only in development', () => {
    expect(flat(menuTemplate('linux', false, () => {})).some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(flat(menuTemplate('linux', true, () => {})).some((i) => i.role === 'toggleDevTools')).toBe(true);
    expect(flat(menuTemplate('darwin', false, () => {}))[0]?.role).toBe('appMenu');
  });
});
