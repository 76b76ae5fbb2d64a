/** A location of GET /api/locations (flat, each naming its parent). */
export interface Location {
  readonly code: string;
  readonly name: string | null;
  readonly parent: string | null;
  readonly type: string;
  readonly blocked: boolean;
}

/**
 * The codes to show for a search: every location whose code or name contains the text, at any
 * depth, and its ancestors so that it is seen where it sits in the tree.
 */
export function visibleCodes(locations: readonly Location[], search: string): Set<string> | undefined {
  const text = search.trim().toLowerCase();
  if (!text) return undefined;
  const byCode = new Map(locations.map((location) => [location.code, location]));
  const shown = new Set<string>();
  for (const location of locations) {
    if (!location.code.toLowerCase().includes(text) && !(location.name ?? '').toLowerCase().includes(text)) continue;
    for (let at: Location | undefined = location; at && !shown.has(at.code); at = at.parent ? byCode.get(at.parent) : undefined) shown.add(at.code);
  }
  return shown;
}
