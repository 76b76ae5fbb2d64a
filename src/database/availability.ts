import pg from 'pg';
import type { Logger } from '../logger.js';
import { isConnectionError } from '../projections/transient-error.js';
import type { Database } from './connection.js';

/**
 * The database is known to be unreachable: the request was refused before it touched the pool
 * (API: 503 `unavailable` with Retry-After). `databaseUnavailable` makes it a connection-class
 * error for the one classifier (`isConnectionError`).
 */
export class DatabaseUnavailable extends Error {
  readonly code = 'unavailable';
  readonly databaseUnavailable = true;
  constructor(readonly retryAfterSeconds: number) {
    super('the database is unavailable at the moment');
    this.name = 'DatabaseUnavailable';
  }
}

/** available: queries go through; checking: one failed, a probe is deciding; unavailable: requests are refused until a probe answers. */
export type AvailabilityState = 'available' | 'checking' | 'unavailable';

/** Tuning of {@link DatabaseAvailability}; the defaults suit the service. */
export interface AvailabilityOptions {
  /** Answers when the database does; rejects (or takes longer than `probeTimeoutMs`) when it does not. */
  readonly probe: () => Promise<void>;
  readonly logger: Logger;
  /** Wait before the first probe after the database was found unavailable; doubled after each failure (ms). */
  readonly firstRetryMs?: number;
  /** The longest wait between two probes (ms): also how long the database may be back before requests are served again. */
  readonly maxRetryMs?: number;
  /** A probe that has not answered after this long failed (ms). */
  readonly probeTimeoutMs?: number;
  /** How often an outage, and connection failures of a database that still answers, are summed up in the log (ms). */
  readonly reportEveryMs?: number;
  /** Waiting requests and no connection handed out or given back for this long: the pool is wedged (ms). */
  readonly wedgedAfterMs?: number;
}

/** The events of a pg.Pool this module watches. */
interface WatchedPool {
  readonly waitingCount: number;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'acquire' | 'release', listener: () => void): unknown;
}

/** Counts of one reporting interval. */
interface Tally {
  refusedRequests: number;
  connectionErrors: number;
  failedProbes: number;
}

const emptyTally = (): Tally => ({ refusedRequests: 0, connectionErrors: 0, failedProbes: 0 });

const summary = (error: unknown): { code?: unknown; message?: unknown } => {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return { ...(code === undefined ? {} : { code }), message };
};

/**
 * What the process knows about its database, from the failures of its own queries and a probe.
 *
 * Any query (of a request, of background work, an idle pool connection) that fails with a
 * connection-class error is reported here. One report is enough to doubt: a probe (`select 1` on
 * a fresh connection, bounded by a timeout) runs at once. If it answers, the database is up and a
 * connection broke alone; if not, the database is marked unavailable and probed again with
 * back-off until it answers. Meanwhile requests are refused at once (`admit`), without waiting
 * for a pool connection that cannot come; only the probe goes to the database.
 *
 * It also keeps the log readable: an outage is logged when it starts, then summed up once per
 * interval (requests refused, connection errors of background work, probes), and once when it
 * ends, whatever the request rate. Background work logs through {@link quiet} loggers, whose
 * connection-class warnings and errors are counted here instead of written.
 */
export class DatabaseAvailability {
  private current: AvailabilityState = 'available';
  private downSince = 0;
  private retryMs: number;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;
  private reportTimer: NodeJS.Timeout | undefined;
  private firstError: unknown;
  private outage = emptyTally();
  private interval = emptyTally();
  /** Connection failures while the database kept answering, since they were last logged. */
  private blips = 0;
  private lastBlipLog = Number.NEGATIVE_INFINITY;
  private poolProgressAt = Date.now();
  private waitingSeenAt: number | undefined;
  private watchedPool: WatchedPool | undefined;
  private closed = false;
  private readonly logger: Logger;
  private readonly probe: () => Promise<void>;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly probeTimeoutMs: number;
  private readonly reportEveryMs: number;
  private readonly wedgedAfterMs: number;

  constructor(options: AvailabilityOptions) {
    this.logger = options.logger;
    this.probe = options.probe;
    this.firstRetryMs = options.firstRetryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 2_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 5_000;
    this.reportEveryMs = options.reportEveryMs ?? 10_000;
    this.wedgedAfterMs = options.wedgedAfterMs ?? 60_000;
    this.retryMs = this.firstRetryMs;
  }

  /** Where the database stands. */
  get state(): AvailabilityState {
    return this.current;
  }

  /** Seconds a refused client should wait before trying again: about the next probe. */
  get retryAfterSeconds(): number {
    return Math.min(5, Math.max(1, Math.ceil(this.retryMs / 1000)));
  }

  /** Lets a request through, or throws {@link DatabaseUnavailable} at once while the database is known to be down. */
  admit(): void {
    if (this.current !== 'unavailable') return;
    this.outage.refusedRequests += 1;
    this.interval.refusedRequests += 1;
    throw new DatabaseUnavailable(this.retryAfterSeconds);
  }

  /**
   * Reports an error of a query or a connection. Answers whether it was connection-class (then it
   * is counted, and the database is probed unless it is being already); other errors are not this
   * module's business.
   */
  report(error: unknown): boolean {
    if (!isConnectionError(error)) return false;
    if (error instanceof DatabaseUnavailable) return true;
    if (this.closed) return true;
    const doubting = this.current === 'available';
    if (doubting) {
      this.current = 'checking';
      this.firstError = error;
      this.outage = emptyTally();
      this.interval = emptyTally();
    }
    this.outage.connectionErrors += 1;
    this.interval.connectionErrors += 1;
    if (doubting) void this.check();
    return true;
  }

  /**
   * Readiness of the database: false at once while it is known to be down; otherwise whether
   * `query` (a `select 1` through the pool requests use) answers within the probe timeout.
   */
  async ready(query: () => Promise<unknown>): Promise<boolean> {
    if (this.current === 'unavailable') return false;
    try {
      await this.bounded(query());
      return true;
    } catch (error) {
      this.report(error);
      return false;
    }
  }

  /**
   * Liveness: false only when the process cannot get out by itself, i.e. queries have been seen
   * waiting for a pool connection and none was handed out or given back for `wedgedAfterMs`
   * since, while the database was not known to be down. An unreachable database is not a reason:
   * a restart of this process would not bring it back, and the probe notices when it is.
   */
  liveness(): { readonly live: boolean; readonly detail?: string } {
    const pool = this.watchedPool;
    if (!pool || pool.waitingCount === 0 || this.current === 'unavailable') {
      this.waitingSeenAt = undefined;
      return { live: true };
    }
    const now = Date.now();
    // Seen waiting for the first time, or again after the pool moved: the clock starts now.
    if (this.waitingSeenAt === undefined || this.waitingSeenAt < this.poolProgressAt) this.waitingSeenAt = now;
    if (now - this.waitingSeenAt <= this.wedgedAfterMs) return { live: true };
    return { live: false, detail: `${pool.waitingCount} queries have waited more than ${Math.round(this.wedgedAfterMs / 1000)} s for a database connection and none was handed out` };
  }

  /** Watches a pg pool: errors of its idle connections are reported, and its hand-outs tell liveness that it moves. */
  watchPool(pool: WatchedPool): void {
    this.watchedPool = pool;
    pool.on('error', (error) => void this.report(error));
    const moved = (): void => {
      this.poolProgressAt = Date.now();
    };
    pool.on('acquire', moved);
    pool.on('release', moved);
  }

  /**
   * A logger for background work (projector, LISTEN connections, caches): its warnings and errors
   * that carry a connection-class error are reported here and counted in the outage's summary
   * lines instead of being written one by one. Everything else passes unchanged; so do children.
   */
  quiet(logger: Logger): Logger {
    return new Proxy(logger, {
      get: (target, property) => {
        if (property === 'warn' || property === 'error') {
          const write = target[property].bind(target) as (...args: unknown[]) => void;
          return (first: unknown, ...rest: unknown[]) => {
            const error = first instanceof Error ? first : (first as { err?: unknown } | undefined)?.err;
            if (error !== undefined && this.report(error)) return;
            write(first, ...rest);
          };
        }
        if (property === 'child') return (...args: Parameters<Logger['child']>) => this.quiet(target.child(...args) as unknown as Logger);
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /**
   * Told by whoever runs the server (the embedded server's supervisor) that it died (`false`) or
   * is back (`true`): requests are refused from that moment, not from the first failed query, and
   * a server that is back is probed at once instead of at the next back-off.
   */
  told(up: boolean): void {
    if (this.closed) return;
    if (!up) {
      if (this.current === 'unavailable') return;
      this.firstError = new Error('the database server exited');
      this.outage = emptyTally();
      this.interval = emptyTally();
      this.becomeUnavailable(undefined);
      return;
    }
    if (this.current !== 'unavailable') return;
    if (this.timer) clearTimeout(this.timer);
    void this.probeAgain();
  }

  /** Stops probing and reporting (the service is shutting down). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.reportTimer) clearInterval(this.reportTimer);
  }

  /** The first probe after a connection failure: tells a broken connection from a lost database. */
  private async check(): Promise<void> {
    try {
      await this.bounded(this.probe());
      // Told meanwhile that the server died: that wins over a probe that went out before.
      if (this.current !== 'checking') return;
      this.current = 'available';
      this.blips += 1;
      const now = Date.now();
      if (now - this.lastBlipLog >= this.reportEveryMs) {
        // A terminated backend, a connection cut by a proxy: worth a line, not one per failure.
        this.logger.warn({ failures: this.blips, error: summary(this.firstError) }, 'a database connection failed; the database answers');
        this.lastBlipLog = now;
        this.blips = 0;
      }
    } catch (error) {
      if (this.closed || this.current !== 'checking') return;
      this.becomeUnavailable(error);
    }
  }

  private becomeUnavailable(probeError: unknown): void {
    this.current = 'unavailable';
    this.downSince = Date.now();
    this.retryMs = this.firstRetryMs;
    this.logger.error({ error: summary(this.firstError), ...(probeError === undefined ? {} : { probe: summary(probeError) }) }, 'database unavailable; refusing requests with 503 and probing it until it answers');
    if (this.reportTimer) clearInterval(this.reportTimer);
    this.reportTimer = setInterval(() => this.reportOutage(), this.reportEveryMs);
    this.reportTimer.unref();
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.probeAgain(), this.retryMs);
    this.timer.unref();
  }

  /** One probe at a time: a failed one schedules the next, so there is one chain of them. */
  private async probeAgain(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      await this.bounded(this.probe());
    } catch {
      this.outage.failedProbes += 1;
      this.interval.failedProbes += 1;
      this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
      this.scheduleProbe();
      return;
    } finally {
      this.probing = false;
    }
    if (this.closed || this.current !== 'unavailable') return;
    if (this.timer) clearTimeout(this.timer);
    if (this.reportTimer) clearInterval(this.reportTimer);
    const downSeconds = Math.round((Date.now() - this.downSince) / 100) / 10;
    this.current = 'available';
    this.retryMs = this.firstRetryMs;
    this.logger.info({ downSeconds, ...this.outage }, `database back after ${downSeconds} s; serving requests again`);
    this.outage = emptyTally();
    this.interval = emptyTally();
  }

  private reportOutage(): void {
    const downSeconds = Math.round((Date.now() - this.downSince) / 1000);
    const lastSeconds = this.reportEveryMs / 1000;
    this.logger.warn({ downSeconds, lastSeconds, ...this.interval }, `database still unavailable after ${downSeconds} s; ${this.interval.refusedRequests} requests refused in the last ${lastSeconds} s`);
    this.interval = emptyTally();
  }

  private async bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout expired'), { code: 'ETIMEDOUT' })), this.probeTimeoutMs);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * The probe of a database: `select 1` on a connection of its own, not one of the pool's, so a
 * pool full of busy or broken connections cannot make it wait, and a connection attempt that
 * hangs (a host that drops packets) ends after `timeoutMs`.
 */
export function selectOneProbe(db: Database, timeoutMs = 3_000): () => Promise<void> {
  const cn = db.$cn;
  const base = (typeof cn === 'string' ? { connectionString: cn } : { ...cn }) as pg.ClientConfig;
  return async () => {
    const client = new pg.Client({ ...base, application_name: 'stockcontrol-probe', connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
    // A failure after connecting surfaces through the query; this keeps it from being unhandled.
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  };
}
