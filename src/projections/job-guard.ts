import type { Database } from '../database/connection.js';
import { releaseConnection } from '../database/release-connection.js';

/**
 * The read-model jobs a tenant can start through the API. Each builds a whole schema from the
 * tenant's events, so each is allowed once per tenant at a time, across every process.
 */
export type ProjectionJobKind = 'rebuild' | 'verify';

/** A job that holds its tenant's guard: what it is and since when. */
export interface RunningProjectionJob {
  readonly kind: ProjectionJobKind;
  readonly tenant: string;
  /** When it started (ISO 8601), or null when its holder could not be read (it was just ending). */
  readonly startedAt: string | null;
}

/** Thrown when a tenant's job of this kind already runs somewhere. */
export class ProjectionJobRunning extends Error {
  readonly code = 'already-running';
  constructor(readonly running: RunningProjectionJob) {
    super(`a ${running.kind} of tenant ${running.tenant}'s read schema is already running${running.startedAt ? ` (since ${running.startedAt})` : ''}`);
    this.name = 'ProjectionJobRunning';
  }
}

/** A held guard; release it when the job ends, however it ends. */
export interface ProjectionJobLease {
  readonly startedAt: string;
  release(): Promise<void>;
}

// The lock is keyed (hashtext(kind), hashtext(tenant)): a key pair of its own, apart from the
// single-key locks of the read-schema registry and the projector daemon.
const tryLockSql = 'select pg_try_advisory_lock(hashtext($1), hashtext($2)) as locked';

// The holder's connection names its job and start in application_name (at most 63 bytes:
// `stockcontrol <kind> <epoch ms>`), so a refused caller can say what runs and since when.
const holderSql = `
  select a.application_name
    from pg_locks l
    join pg_stat_activity a on a.pid = l.pid
   where l.locktype = 'advisory' and l.granted and l.objsubid = 2
     and l.classid = hashtext($1)::oid and l.objid = hashtext($2)::oid
   limit 1`;

const holderPattern = /^stockcontrol (rebuild|verify) (\d{13})$/;

/**
 * At most one job of each kind per tenant at a time across processes: a session advisory lock on
 * a connection of the job's own, held for as long as the job runs. If the process dies, its
 * connection closes and the lock goes with it, so a crash never leaves a tenant locked out.
 */
export class ProjectionJobGuard {
  constructor(private readonly db: Database) {}

  /** Takes the tenant's guard for a job of this kind; throws ProjectionJobRunning if it is held. */
  async acquire(tenant: string, kind: ProjectionJobKind): Promise<ProjectionJobLease> {
    const connection = await this.db.connect({ direct: true });
    const started = Date.now();
    let held = false;
    try {
      // A broken connection loses the lock; the job itself goes on and finds out on its own.
      connection.client.on('error', () => undefined);
      await connection.one('select set_config($1, $2, false)', ['application_name', `stockcontrol ${kind} ${started}`]);
      const { locked } = await connection.one<{ locked: boolean }>(tryLockSql, [kind, tenant]);
      if (!locked) throw new ProjectionJobRunning({ kind, tenant, startedAt: await this.holderStart(kind, tenant) });
      held = true;
    } finally {
      if (!held) await releaseConnection(connection);
    }
    let released = false;
    return {
      startedAt: new Date(started).toISOString(),
      release: async () => {
        if (released) return;
        released = true;
        // Closing the connection ends the lock; the explicit unlock just says so first.
        await connection.one('select pg_advisory_unlock(hashtext($1), hashtext($2))', [kind, tenant]).catch(() => undefined);
        await releaseConnection(connection);
      },
    };
  }

  private async holderStart(kind: ProjectionJobKind, tenant: string): Promise<string | null> {
    const row = await this.db.oneOrNone<{ application_name: string }>(holderSql, [kind, tenant]);
    const match = row ? holderPattern.exec(row.application_name) : null;
    return match?.[2] ? new Date(Number(match[2])).toISOString() : null;
  }
}
