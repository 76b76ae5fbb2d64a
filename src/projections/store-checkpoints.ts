import { comparePositions, type Position } from '../eventstore/event-store.js';

/**
 * The event store's subscription checkpoints, on their way into a read schema's checkpoint.
 *
 * A store may tell a subscriber how far it has scanned past the tenant's events (KurrentDB's
 * server checkpoints, sent while a filtered `$all` subscription passes other tenants' events; see
 * SubscribeTenantOptions in src/eventstore/event-store.ts). A projector that records such a
 * checkpoint as its schema's position resumes there after a restart, so a quiet tenant does not
 * have the server rescan the whole log behind its last event. Two rules keep that safe and cheap:
 * - never past an unapplied event: a checkpoint is only recorded by the projector's drain loop,
 *   once every event delivered before it has been applied (the store delivers the checkpoint
 *   after those events);
 * - throttled: at most one write every `everyMs`; the latest checkpoint offered meanwhile is
 *   recorded when the time has come, so the last one of a quiet spell is not lost.
 */
export class StoreCheckpoints {
  private latest: Position | undefined;
  private recordedAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /**
   * @param write writes the checkpoint (only forward) into the read schema
   * @param wake starts the projector's drain loop if it is idle, which then calls {@link record}
   */
  constructor(
    private readonly write: (position: Position) => Promise<void>,
    private readonly everyMs: number,
    private readonly wake: () => void,
  ) {}

  /** A checkpoint from the store: every event of the tenant up to it has been delivered already. */
  offer(position: Position): void {
    if (this.stopped) return;
    if (this.latest === undefined || comparePositions(position, this.latest) > 0) this.latest = position;
    this.schedule();
  }

  /**
   * Wakes the projector when a waiting checkpoint's time has come, or arms a timer for then. A
   * timer armed before a later record is early for the checkpoint offered since: when it fires it
   * looks again and re-arms, rather than waking a projector that finds nothing due and leaving the
   * last checkpoint of a quiet spell unrecorded (a timer late on a busy event loop did that).
   */
  private schedule(): void {
    if (this.stopped || this.latest === undefined) return;
    const wait = this.recordedAt + this.everyMs - Date.now();
    if (wait <= 0) {
      this.wake();
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, wait).unref();
  }

  /** Whether a checkpoint waits and its time has come. */
  due(): boolean {
    return !this.stopped && this.latest !== undefined && Date.now() - this.recordedAt >= this.everyMs;
  }

  /** Records the latest checkpoint. Call only when every event delivered so far has been applied. */
  async record(): Promise<void> {
    const position = this.latest;
    this.latest = undefined;
    this.recordedAt = Date.now();
    if (position !== undefined) await this.write(position);
  }

  /** No more checkpoints: the subscription has ended. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
