// The application menu as data, so its shortcuts are testable without Electron.

import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../common/ipc-contract.js';

export function menuTemplate(platform: string, isDev: boolean, send: (cmd: MenuCommand) => void): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const cmd = (label: string, accelerator: string | undefined, command: MenuCommand): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => send(command),
  });
  const view: MenuItemConstructorOptions[] = [
    cmd('Preview', 'CmdOrCtrl+1', 'view-preview'),
    cmd('Side by Side', 'CmdOrCtrl+2', 'view-compare'),
    { type: 'separator' },
    cmd('Fit Photo', 'CmdOrCtrl+9', 'zoom-fit'),
    cmd('Actual Pixels (100%)', 'CmdOrCtrl+0', 'zoom-100'),
    { type: 'separator' },
    { role: 'zoomIn', label: 'Zoom Interface In' },
    { role: 'zoomOut', label: 'Zoom Interface Out' },
    { role: 'resetZoom', label: 'Reset Interface Zoom', accelerator: 'CmdOrCtrl+Shift+0' },
    { type: 'separator' },
    cmd('Toggle Light/Dark', 'CmdOrCtrl+Shift+L', 'toggle-theme'),
    { role: 'togglefullscreen' },
  ];
  if (isDev) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    {
      label: 'File',
      submenu: [
        cmd('Open Folder…', 'CmdOrCtrl+O', 'open-folder'),
        cmd('Open Photos…', 'CmdOrCtrl+Shift+O', 'open-files'),
        { type: 'separator' },
        cmd('Export…', 'CmdOrCtrl+E', 'export'),
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
        // No accelerator: an accelerator would steal Ctrl+A from text fields; the gallery handles the key itself.
        cmd('Select All Photos', undefined, 'select-all'),
      ],
    },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ];
}
