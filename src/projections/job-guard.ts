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

/** The first key of the two-part advisory lock that makes claims one at a time ('PJOB'). */
const claimLockSpace = 0x504a4f42;

/**
 * A job's claim is the application_name of its own connection, `stockcontrol <kind> <tenant>`:
 * the name itself, compared whole, so two tenants never exclude each other (a lock keyed by a
 * 32-bit hash of the name did, and named the other tenant's job as the one running). It lasts as
 * long as the connection, so a crashed job's claim ends with it. At most 63 bytes (NAMEDATALEN).
 */
const claimName = (kind: ProjectionJobKind, tenant: string): string => `stockcontrol ${kind} ${tenant}`;

const maxClaimBytes = 63;

// A claim is checked and made under a transaction lock of the claim space, so two callers of the
// same job take turns (for milliseconds) and the second sees the first's name. The lock is taken in
// a statement of its own: pg_stat_activity is read once per transaction, after it.
const claimLockSql = 'select pg_advisory_xact_lock($1, 0)';

// A job starts with its connection: its start is that connection's, as the holder and the refused see it.
const startedAt = `to_char(backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as started_at`;

// The holder of a claim other than this connection, in this database (pg_stat_activity lists the
// whole server's: another installation's tenant of the same name is not this one).
const holderSql = `select ${startedAt} from pg_stat_activity where application_name = $1 and datname = current_database() and pid <> pg_backend_pid() limit 1`;

// Makes the claim ($1 the name) and reads when this connection started.
const claimSql = `select set_config('application_name', $1, false), ${startedAt} from pg_stat_activity where pid = pg_backend_pid()`;

// The guard of releases before the claims by name: a session advisory lock keyed (hashtext(kind),
// hashtext(tenant)). During a rolling deploy their processes run beside this one's, so a claim
// takes that lock too ($1 kind, $2 tenant), and an old process's job holding it is one running.
const legacyTryLockSql = 'select pg_try_advisory_lock(hashtext($1), hashtext($2)) as locked';
const legacyUnlockSql = 'select pg_advisory_unlock(hashtext($1), hashtext($2))';

// Who holds that lock in this database ($1 kind, $2 tenant), with its connection's name: a claim
// by name of another tenant (the same 32-bit hash) is not this tenant's job.
const legacyHolderSql = `select a.application_name, to_char(a.backend_start at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as started_at
  from pg_locks l join pg_stat_activity a on a.pid = l.pid
 where l.locktype = 'advisory' and l.granted and l.objsubid = 2 and l.pid <> pg_backend_pid()
   and l.database = (select oid from pg_database where datname = current_database())
   and l.classid = hashtext($1)::oid and l.objid = hashtext($2)::oid
 limit 1`;

/**
 * At most one job of each kind per tenant at a time across processes: a claim (the job's name as
 * the application_name of a connection of its own) held for as long as the job runs. If the
 * process dies, its connection closes and the claim goes with it, so a crash never leaves a
 * tenant locked out.
 */
export class ProjectionJobGuard {
  constructor(private readonly db: Database) {}

  /** Takes the tenant's guard for a job of this kind; throws ProjectionJobRunning if it is held. */
  async acquire(tenant: string, kind: ProjectionJobKind): Promise<ProjectionJobLease> {
    const name = claimName(kind, tenant);
    // Cut short, two long names could be one claim: refused rather than guarded wrongly (slugs are at most 40 characters).
    if (Buffer.byteLength(name) > maxClaimBytes) throw new Error(`a ${kind} job cannot be guarded for a tenant name this long: ${tenant}`);
    const connection = await this.db.connect({ direct: true });
    let held = false;
    let started: string;
    let legacy = false;
    try {
      // A broken connection loses the claim; the job itself goes on and finds out on its own.
      connection.client.on('error', () => undefined);
      const claim = await connection.tx('claim-projection-job', async (t) => {
        await t.one(claimLockSql, [claimLockSpace]);
        const running = await t.oneOrNone<{ started_at: string }>(holderSql, [name]);
        if (running) return { running };
        const { locked } = await t.one<{ locked: boolean }>(legacyTryLockSql, [kind, tenant]);
        if (!locked) {
          const holder = await t.oneOrNone<{ application_name: string; started_at: string }>(legacyHolderSql, [kind, tenant]);
          if (holder && !holder.application_name.startsWith(`stockcontrol ${kind} `)) return { running: holder };
        }
        return { own: await t.one<{ started_at: string }>(claimSql, [name]), legacy: locked };
      });
      if (claim.running) throw new ProjectionJobRunning({ kind, tenant, startedAt: claim.running.started_at });
      started = claim.own.started_at;
      legacy = claim.legacy;
      held = true;
    } finally {
      if (!held) await releaseConnection(connection);
    }
    let released = false;
    return {
      startedAt: started,
      release: async () => {
        if (released) return;
        released = true;
        // Closing the connection ends the claim, but its backend leaves pg_stat_activity a moment
        // later: the name is given up first, so a job started right after the release is not refused.
        await connection.one('select set_config($1, $2, false)', ['application_name', 'stockcontrol']).catch(() => undefined);
        // The same for the old releases' lock: given up before the connection closes.
        if (legacy) await connection.one(legacyUnlockSql, [kind, tenant]).catch(() => undefined);
        await releaseConnection(connection);
      },
    };
  }
}
