/** Levenshtein distance: the fewest inserted, deleted or replaced characters that turn a into b. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const replace = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, replace));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The known word closest to what was typed, when it is close enough to be a typo (at most a third
 * of its letters off, and at least one): `tenats` → `tenants`, `xyz` → nothing.
 */
export function closest(typed: string, known: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const word of known) {
    const distance = word.startsWith(typed) && typed.length >= 2 ? 0 : editDistance(typed.toLowerCase(), word);
    if (!best || distance < best.distance) best = { word, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(Math.max(typed.length, best.word.length) / 3)) ? best.word : undefined;
}
