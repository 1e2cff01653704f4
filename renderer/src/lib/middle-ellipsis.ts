// File names are cut in the middle, never at the end: "Bridge_at_Arg…_0412.jpg" keeps the start
// people recognise and the numbers and extension that tell photos apart. The full name goes in a
// tooltip beside it.

export function middleEllipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return '…';
  const tail = Math.max(1, Math.floor((max - 1) * 0.45));
  const head = max - 1 - tail;
  return `${chars.slice(0, head).join('')}…${chars.slice(-tail).join('')}`;
}

/** Characters of a name that fit in `px` at a font of `fontPx` (an average glyph is ~0.56 em). */
export function fitChars(px: number, fontPx: number): number {
  return Math.max(4, Math.floor(px / (fontPx * 0.56)));
}
