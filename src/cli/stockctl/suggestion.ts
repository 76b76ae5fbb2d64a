/**
 * Edit distance with transpositions (optimal string alignment): the fewest inserted, deleted or
 * replaced characters, or swapped neighbours, that turn a into b (`tial` → `tail` is one).
 */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      row[j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The known word closest to what was typed, when it is close enough to be a typo (at most a third
 * of its letters off, and at least one), or what was typed is the start of it: `tenats` →
 * `tenants`, `proj` → `projections`, `xyz` → nothing.
 */
export function closest(typed: string, known: readonly string[]): string | undefined {
  let best: { word: string; distance: number } | undefined;
  for (const word of known) {
    const distance = word.startsWith(typed) && typed.length >= 2 ? 0 : editDistance(typed.toLowerCase(), word);
    if (!best || distance < best.distance) best = { word, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(Math.max(typed.length, best.word.length) / 3)) ? best.word : undefined;
}
