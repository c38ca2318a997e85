/**
 * The configured word filter (COMMENT_BLOCKED_WORDS), pure: whole words, case- and
 * width-insensitive (NFKC, so full-width or ligature spellings match too).
 */
export function blockedWordIn(text: string, blockedWords: readonly string[]): string | undefined {
  if (blockedWords.length === 0) return undefined;
  const words = new Set(
    text
      .normalize('NFKC')
      .toLocaleLowerCase('en')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean),
  );
  return blockedWords.find((word) => words.has(word.normalize('NFKC').toLocaleLowerCase('en')));
}
