import { nextInDirection, type Direction } from './spatial-nav.ts';

/** Arrow keys move the focus to the nearest focusable element that way (TV remotes send them). */
const keys: Record<string, Direction> = {
  ArrowLeft: 'left',
  ArrowRight: 'right',
  ArrowUp: 'up',
  ArrowDown: 'down',
};
const focusable = 'a[href], button:not([disabled]), [tabindex="0"]';

export function enableSpatialNavigation(root: Document): () => void {
  const onKey = (event: KeyboardEvent) => {
    const direction = keys[event.key];
    const active = root.activeElement;
    if (!direction || !(active instanceof HTMLElement) || event.defaultPrevented) return;
    // Text fields, selects and the video keep their own arrow keys.
    if (active.closest('input, textarea, select, video, [data-own-arrows]')) return;
    const elements = [...root.querySelectorAll<HTMLElement>(focusable)].filter(
      (element) => element !== active && element.offsetParent !== null,
    );
    const index = nextInDirection(
      active.getBoundingClientRect(),
      elements.map((element) => element.getBoundingClientRect()),
      direction,
    );
    const target = elements[index];
    if (!target) return;
    event.preventDefault();
    target.focus();
    target.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  };
  root.addEventListener('keydown', onKey);
  return () => root.removeEventListener('keydown', onKey);
}
