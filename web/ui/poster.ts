/**
 * A generated poster for titles without artwork (the MovieLens demo catalog has none): an SVG with
 * the title, year and first genre on a gradient picked from the title, so rows still look like a
 * service. Pure and deterministic: the same title always gets the same poster.
 */

const palettes: ReadonlyArray<readonly [string, string]> = [
  ['#3a1c71', '#d76d77'],
  ['#0f2027', '#2c5364'],
  ['#42275a', '#734b6d'],
  ['#134e5e', '#71b280'],
  ['#232526', '#414345'],
  ['#4b134f', '#c94b4b'],
  ['#1f4037', '#99f2c8'],
  ['#373b44', '#4286f4'],
];

/** FNV-1a: a stable, well-spread hash of the title, for the palette. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const escapeXml = (text: string) =>
  text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

/** Breaks a title into at most `maxLines` lines of about `width` characters, ending in "…" if cut. */
export function wrapTitle(title: string, width = 14, maxLines = 4): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of title.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (candidate.length <= width || !line) line = candidate;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines)
    return lines.map((l) => (l.length > width + 4 ? `${l.slice(0, width + 3)}…` : l));
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${(kept[maxLines - 1] ?? '').slice(0, width - 1)}…`;
  return kept;
}

export function posterSvg(options: { title: string; year?: number | null; genre?: string | null }): string {
  const [from, to] = palettes[hashText(options.title) % palettes.length] ?? palettes[0]!;
  const lines = wrapTitle(options.title);
  const text = lines
    .map((line, i) => `<tspan x="20" dy="${i === 0 ? 0 : 30}">${escapeXml(line)}</tspan>`)
    .join('');
  const footer = [options.year, options.genre].filter((part) => part != null && part !== '').join(' · ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="300" viewBox="0 0 200 300">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="200" height="300" fill="url(#g)"/>` +
    `<text x="20" y="90" fill="#fff" font-family="system-ui,sans-serif" font-size="24" font-weight="700">${text}</text>` +
    `<text x="20" y="275" fill="#fff" fill-opacity="0.85" font-family="system-ui,sans-serif" font-size="15">${escapeXml(footer)}</text>` +
    `</svg>`
  );
}

export function posterDataUri(options: {
  title: string;
  year?: number | null;
  genre?: string | null;
}): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(posterSvg(options))}`;
}
