import path from 'node:path';

/**
 * What ffmpeg and ffprobe say on stderr, reduced to a reason a person can act on. Both tools end
 * a failure with generic lines ("Conversion failed!") after the specific one, and prefix lines
 * with the component's address ("[mov,mp4,… @ 0x55…]"), which only adds noise.
 */

const NOISE = [/^Conversion failed!?$/, /^Exiting normally/, /^Press \[q\]/, /^\s*$/];
/** Lines ffmpeg prints after the real error as it unwinds; kept only if nothing else was said. */
const CASCADE = [
  /^Error reinitializing filters!?$/,
  /^Failed to inject frame into filter network/,
  /^Error while processing the decoded data/,
  /^Error while filtering/,
  /^Nothing was written into output file/,
];

/** Keeps the last `limit` lines of a stream of text chunks. */
export class LineTail {
  readonly #limit: number;
  readonly #lines: string[] = [];
  #partial = '';

  constructor(limit = 40) {
    this.#limit = limit;
  }

  push(chunk: string): void {
    const parts = (this.#partial + chunk).split(/\r?\n|\r/);
    this.#partial = parts.pop() ?? '';
    for (const line of parts) this.#add(line);
  }

  lines(): string[] {
    return this.#partial ? [...this.#lines, this.#partial] : [...this.#lines];
  }

  #add(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > this.#limit) this.#lines.shift();
  }
}

/**
 * The last meaningful lines of a tool's stderr, joined with '; '. Paths we passed in are replaced
 * by their base names: the reason ends up in problem+json responses and logs.
 */
export function summarizeToolError(options: {
  lines: readonly string[];
  paths?: readonly string[];
  maxLines?: number;
}): string {
  const { lines, paths = [], maxLines = 3 } = options;
  const cleaned = lines
    .map((line) => redactPaths(line.replace(/^\[([^\]@]+?) @ 0x[0-9a-f]+\]\s*/i, '$1: ').trim(), paths))
    .filter((line) => !NOISE.some((pattern) => pattern.test(line)));
  const specific = cleaned.filter((line) => !CASCADE.some((pattern) => pattern.test(line)));
  return (specific.length > 0 ? specific : cleaned).slice(-maxLines).join('; ');
}

function redactPaths(line: string, paths: readonly string[]): string {
  let result = line;
  // Longest first, so a directory doesn't eat half of a file path inside it.
  for (const full of [...paths].sort((a, b) => b.length - a.length)) {
    if (!full) continue;
    const base = path.basename(full);
    result = result.replaceAll(`file:${full}`, base).replaceAll(full, base);
  }
  return result;
}
