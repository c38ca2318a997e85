/** The charts' geometry: pure, so it is tested without a browser (test/web/admin-console.test.ts). */

export const width = 640;
export const height = 220;
export const pad = { top: 12, right: 12, bottom: 28, left: 52 };

/** A "nice" upper bound for an axis: 1, 2 or 5 times a power of ten, at least the maximum. */
export function niceCeiling(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** The x of each of `count` points across the plot area. */
export function xPositions(count: number): number[] {
  const span = width - pad.left - pad.right;
  if (count <= 1) return [pad.left + span / 2];
  return Array.from({ length: count }, (_, i) => pad.left + (span * i) / (count - 1));
}
