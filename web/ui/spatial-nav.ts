/**
 * Arrow-key (TV remote) navigation: from the focused element, move to the nearest focusable one in
 * the pressed direction. `nextInDirection` is the pure part (table-tested); `enableSpatialNavigation`
 * (spatial-nav.dom.ts) wires it to the document.
 */

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
export type Direction = 'left' | 'right' | 'up' | 'down';

const center = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

/** Index of the best candidate in `direction` from `from`, or -1. Off-axis distance weighs more. */
export function nextInDirection(from: Box, candidates: readonly Box[], direction: Direction): number {
  const origin = center(from);
  let best = -1;
  let bestScore = Infinity;
  candidates.forEach((box, index) => {
    const point = center(box);
    const dx = point.x - origin.x;
    const dy = point.y - origin.y;
    const [along, across] =
      direction === 'left'
        ? [-dx, dy]
        : direction === 'right'
          ? [dx, dy]
          : direction === 'up'
            ? [-dy, dx]
            : [dy, dx];
    if (along <= 1) return;
    const score = along + Math.abs(across) * 3;
    if (score < bestScore) {
      bestScore = score;
      best = index;
    }
  });
  return best;
}
