import type { Database } from '../../database/connection.js';
import type { Logger } from '../../logger.js';
import { currentSnapshotSql, tenantsWithNewEventsSql } from './store-poll.sql.js';

/** The snapshot a poll saw: what the next one asks about is what this one could not see. */
interface SeenSnapshot {
  readonly xmax: string;
  readonly running: readonly string[];
}

/** Whom a poll wakes: the tenants with new events, or every subscriber. */
export type PollWakeup = { readonly tenants: readonly string[] } | 'everyone';

/**
 * The store-wide safety net under LISTEN/NOTIFY: one statement every `intervalMs` for the whole
 * process, however many tenants it follows, naming the tenants whose events became visible since
 * the previous poll (store-poll.sql.ts). A NOTIFY that never came (its writer died right after the
 * commit, or the LISTEN connection was down) thus costs a subscriber at most about one interval.
 *
 * The first poll after start() has nothing to compare with, so it wakes every subscriber: each
 * then reads with a snapshot no older than that poll's, and from then on every event that
 * becomes visible is named by some later poll. A failed poll keeps the snapshot it compared with,
 * so the next one that succeeds covers the gap.
 */
export class StorePoll {
  private timer: NodeJS.Timeout | undefined;
  private seen: SeenSnapshot | undefined;
  /** Bumped by start() and stop(): a poll in flight from an earlier run wakes nobody. */
  private run = 0;
  private failing = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly wake: (wakeup: PollWakeup) => void,
  ) {}

  /** Starts polling (if it is not already). */
  start(): void {
    if (this.timer) return;
    this.run += 1;
    this.seen = undefined;
    this.schedule(this.run);
  }

  /** Stops polling; a later start() begins afresh. */
  stop(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.run += 1;
  }

  private schedule(run: number): void {
    this.timer = setTimeout(() => void this.poll(run), this.intervalMs);
    this.timer.unref();
  }

  private async poll(run: number): Promise<void> {
    try {
      const wakeup = await this.pollOnce(run);
      if (run !== this.run) return;
      if (this.failing) this.logger.info('the store-wide poll for new events works again');
      this.failing = false;
      if (wakeup === 'everyone' || wakeup.tenants.length > 0) this.wake(wakeup);
    } catch (error) {
      if (!this.failing && run === this.run) this.logger.warn({ err: error }, 'the store-wide poll for new events failed; retrying every interval');
      this.failing = true;
    } finally {
      if (run === this.run) this.schedule(run);
    }
  }

  private async pollOnce(run: number): Promise<PollWakeup> {
    const seen = this.seen;
    if (!seen) {
      const now = await this.db.one<SeenSnapshot>({ name: 'es-poll-snapshot', text: currentSnapshotSql() });
      if (run === this.run) this.seen = now;
      return 'everyone';
    }
    const row = await this.db.one<SeenSnapshot & { tenants: string[] }>({ name: 'es-poll-new-events', text: tenantsWithNewEventsSql(), values: [seen.xmax, seen.running] });
    if (run === this.run) this.seen = { xmax: row.xmax, running: row.running };
    return { tenants: row.tenants };
  }
}
