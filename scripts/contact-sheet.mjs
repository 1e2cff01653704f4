// One image showing a photo and its paintings side by side, each labelled: what `npm start` shows
// a newcomer when the desktop app cannot start. The grid is the engine's (an export of several
// styles writes one too); `npm start` builds dist/ before it gets here.
export { fitLabel, writeContactSheet } from '../dist/electron/services/contact-sheet.js';
