// The one order of photos in a folder, shared by the gallery and a batch over a folder, so an
// export runs in the order the user sees: names compared as people read them (img2 before
// img10, case ignored), exact spelling breaking ties; a folder's photos before its subfolders'.

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function compareNames(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}
