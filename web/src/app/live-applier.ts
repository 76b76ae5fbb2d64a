import type { QueryClient } from '@tanstack/react-query';

/** A movement as GET /api/live announces it (API.md, "Live updates"). */
export interface LiveMovement {
  readonly position: string;
  readonly kind: string;
  readonly movementId: string;
  readonly skus: readonly string[];
  readonly locations: readonly string[];
}

/** The caches of what shows stock: refetched when any movement arrives. */
const stockShowingQueries = ['stock', 'movements', 'articles', 'article', 'reports', 'overview'];

/** Movements close together are answered with one refetch, at most this often. */
const coalesceMs = 150;

const showsStock = (key: readonly unknown[]): boolean => typeof key[0] === 'string' && stockShowingQueries.includes(key[0]);

/**
 * What a movement does to the page: the next reads wait for its position (so that the refetch
 * shows it), and the caches of screens that show stock are invalidated, which refetches those on
 * screen. Movements are coalesced: a busy warehouse sends many a second, and invalidating on each
 * would cancel every refetch before it answered, so the table would never change. A refetch
 * already running is left to finish and the invalidation is tried again after it, so the last
 * movement is always followed by a refetch that waited for its position.
 */
export function createLiveApplier(queries: QueryClient, waitForPosition: (position: string) => void): { apply(movement: LiveMovement): void; stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = (): void => {
    timer = undefined;
    if (queries.isFetching({ predicate: (query) => showsStock(query.queryKey) }) > 0) {
      timer = setTimeout(flush, coalesceMs);
      return;
    }
    void queries.invalidateQueries({ predicate: (query) => showsStock(query.queryKey) }, { cancelRefetch: false });
  };
  return {
    apply(movement) {
      waitForPosition(movement.position);
      timer ??= setTimeout(flush, coalesceMs);
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
