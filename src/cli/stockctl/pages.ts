import type { AuditorClient } from './auditor-client.js';

/** Every item of a paginated API list (API.md: `{ items, nextCursor }`), 500 a page. */
export async function allPages<T>(client: AuditorClient, path: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.get<{ items: T[]; nextCursor: string | null }>(path, { ...query, limit: 500, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}
