// Where display pixel (x, y) comes from in the stored ws x hs image, per EXIF orientation 2-8
// (EXIF 2.3: where the stored 0th row / column end up). Tests check rotated output against it.
export const EXIF_SOURCE_PIXEL: Record<number, (x: number, y: number, ws: number, hs: number) => [number, number]> = {
  2: (x, y, ws) => [ws - 1 - x, y],
  3: (x, y, ws, hs) => [ws - 1 - x, hs - 1 - y],
  4: (x, y, _ws, hs) => [x, hs - 1 - y],
  5: (x, y) => [y, x],
  6: (x, y, _ws, hs) => [y, hs - 1 - x],
  7: (x, y, ws, hs) => [ws - 1 - y, hs - 1 - x],
  8: (x, y, ws) => [ws - 1 - y, x],
};
