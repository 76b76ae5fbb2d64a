import { Observable } from 'rxjs';
import type { MovementKind, MovementRecord } from '../../domain/movement/movement.js';
import type { Position, RecordedEvent } from '../../eventstore/event-store.js';
import { parseStreamName } from '../../eventstore/stream-name.js';
import { decodeEvent } from '../../events/codec.js';

/** One movement as GET /api/live announces it (API.md, "Live updates"). */
export interface MovementNotice {
  /** A position at or after every event of the movement, before the next movement's record: resume after it, or wait for it (X-Min-Position). */
  readonly position: Position;
  readonly kind: MovementKind;
  readonly movementId: string;
  /** The articles of its lines, each once, in line order. */
  readonly skus: readonly string[];
  /** Every location its lines take from or give to (virtual ones such as `@supplier` included), each once. */
  readonly locations: readonly string[];
}

/**
 * How long a movement's notice waits, at most, for the stock events of its lines once its record
 * has been seen. They are in the same transaction and so readable together; only a read page
 * that ends inside the transaction (5,000 events) separates them, for one round trip.
 */
const linesWaitMs = 1000;

interface Pending {
  readonly notice: Omit<MovementNotice, 'position'>;
  /** The articles whose stock event of this movement has not been seen yet. */
  readonly awaiting: Set<string>;
}

function noticeOf(record: MovementRecord): Pending['notice'] {
  const locations = record.lines.flatMap((line) => [line.from, line.to]).filter((code): code is string => code !== undefined);
  return { kind: record.kind, movementId: record.movementId, skus: [...new Set(record.lines.map((line) => line.sku))], locations: [...new Set(locations)] };
}

/**
 * The movements among a tenant's events, one notice each, in position order. Every movement
 * writes exactly one `MovementRecorded` event (stream `movement-<id>`, with its kind and lines),
 * reservations, counts and reversals included, so that event is what makes a notice; the other
 * events (stock, article, location, user streams) only move the notice's position on.
 *
 * The notice's position is the last position seen before it is sent, not the record's own: the
 * record is written first in its transaction (stream names are locked in name order) and the
 * stock events follow, so a client that waits for the record's position (X-Min-Position) could
 * find the read model without the stock. The notice is sent when the next movement's record
 * arrives, or once the stock events of its lines have been seen and the burst of events that
 * brought them is over, or after {@link linesWaitMs} at the latest. Resuming after the position
 * sent skips nothing of a later movement, as the next record always lies after it.
 */
export function movementNotices(events: Observable<RecordedEvent>): Observable<MovementNotice> {
  return new Observable<MovementNotice>((subscriber) => {
    let pending: Pending | undefined;
    let last: Position | undefined;
    let quiet: NodeJS.Immediate | undefined;
    let deadline: NodeJS.Timeout | undefined;

    const send = (): void => {
      if (quiet) clearImmediate(quiet);
      if (deadline) clearTimeout(deadline);
      quiet = undefined;
      deadline = undefined;
      if (!pending || last === undefined) return;
      const { notice } = pending;
      pending = undefined;
      subscriber.next({ position: last, ...notice });
    };

    const source = events.subscribe({
      next: (event) => {
        if (event.type === 'MovementRecorded') {
          send();
          let record: MovementRecord;
          try {
            record = decodeEvent<{ type: 'MovementRecorded'; data: MovementRecord }>(event).data;
          } catch (error) {
            subscriber.error(error);
            return;
          }
          pending = { notice: noticeOf(record), awaiting: new Set(record.lines.map((line) => line.sku)) };
          deadline = setTimeout(send, linesWaitMs);
        } else if (pending) {
          const stream = parseStreamName(event.stream);
          if (stream?.category === 'stock' && (event.data as { movementId?: unknown }).movementId === pending.notice.movementId) pending.awaiting.delete(stream.id);
        }
        last = event.position;
        // Events of one read page arrive in one go: the notice waits until the page is delivered.
        if (pending && pending.awaiting.size === 0 && !quiet) quiet = setImmediate(send);
      },
      error: (error: unknown) => {
        send();
        subscriber.error(error);
      },
      complete: () => {
        send();
        subscriber.complete();
      },
    });

    return () => {
      source.unsubscribe();
      if (quiet) clearImmediate(quiet);
      if (deadline) clearTimeout(deadline);
    };
  });
}
