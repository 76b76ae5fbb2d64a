import type { Database } from '../../database/connection.js';
import { comparePositions, type EventStore } from '../../eventstore/event-store.js';
import type { Logger } from '../../logger.js';
import { ProjectionJobGuard, ProjectionJobRunning, type ProjectionJobKind, type ProjectionJobLease } from '../../projections/job-guard.js';
import type { BuildProgress, ReadSchemas } from '../../projections/read-schemas.js';
import { verifyReadSchema } from '../../projections/verify.js';
import { HttpProblem } from '../problem.js';
import { route, type AnyRoute } from '../route.js';

/** A rebuild started through the API, as far as this process knows it. */
interface RebuildJob {
  readonly startedAt: string;
  progress?: BuildProgress;
  state: 'building' | 'done' | 'failed';
  error?: string;
}

/** The read-model administration of API.md: status, blue/green rebuild, verify. */
export function adminRoutes(dependencies: { readonly db: Database; readonly store: EventStore; readonly readSchemas: ReadSchemas; readonly logger: Logger }): AnyRoute[] {
  const { db, store, readSchemas, logger } = dependencies;
  const jobs = new Map<string, RebuildJob>();
  const guard = new ProjectionJobGuard(db);

  /** The tenant's guard for a job, or 409 already-running naming the job that holds it. */
  async function guarded(tenant: string, kind: ProjectionJobKind): Promise<ProjectionJobLease> {
    try {
      return await guard.acquire(tenant, kind);
    } catch (error) {
      if (!(error instanceof ProjectionJobRunning)) throw error;
      const since = error.running.startedAt ? ` since ${error.running.startedAt}` : '';
      throw new HttpProblem(409, error.code, `A ${kind} is already running`, `A ${kind} of this tenant's read schema is running${since}; one at a time per tenant.`, undefined, {
        running: { kind: error.running.kind, startedAt: error.running.startedAt },
      });
    }
  }

  /** How far behind the head a schema is: events and the age of the oldest event it lacks. */
  async function lag(tenant: string, position: string, head: string): Promise<{ lagEvents: number; lagMs: number }> {
    if (comparePositions(position, head) >= 0) return { lagEvents: 0, lagMs: 0 };
    const lagEvents = await store.countEvents(tenant, { after: position, upTo: head });
    let lagMs = 0;
    for await (const first of store.readTenant(tenant, { after: position, batchSize: 1 })) {
      lagMs = Math.max(0, Date.now() - first.recordedAt.getTime());
      break;
    }
    return { lagEvents, lagMs };
  }

  return [
    route({
      method: 'get',
      path: '/api/admin/projections',
      summary: "The tenant's live read schema, and any being built, with lag and progress",
      tag: 'Read models',
      access: 'admin',
      responses: [{ status: 200, description: '`{ version, schema, status, position, headPosition, lagEvents, lagMs, progress, building: { ...the same } | null, rebuild }`' }],
      handle: async ({ tenant }) => {
        const live = await readSchemas.ensureLive(tenant);
        const head = await store.lastCommittedPosition(tenant);
        const schemas = (await readSchemas.list(tenant))
          .filter((schema) => schema.schema === live.schema || schema.status === 'building')
          .sort((a, b) => Number(b.schema === live.schema) - Number(a.schema === live.schema));
        const job = jobs.get(tenant);
        const items = await Promise.all(
          schemas.map(async (schema) => {
            const position = schema.schema === live.schema ? live.position : schema.position;
            const building = schema.schema !== live.schema;
            const progress = building && job?.progress ? Math.min(1, job.progress.events / Math.max(1, job.progress.total)) : building ? null : 1;
            return {
              version: schema.version,
              schema: schema.schema,
              status: building ? 'building' : 'live',
              position,
              headPosition: head,
              ...(await lag(tenant, position, head)),
              progress,
            };
          }),
        );
        // API.md: the live schema's figures at the top level, and the same for a schema being built.
        const [current, ...building] = items;
        return { status: 200, body: { ...current, building: building[0] ?? null, rebuild: job ?? null } };
      },
    }),
    route({
      method: 'post',
      path: '/api/admin/projections/rebuild',
      summary: 'Build a fresh read schema beside the live one and switch once caught up (reads go on meanwhile)',
      tag: 'Read models',
      access: 'admin',
      responses: [
        { status: 202, description: 'Started; follow it with GET /api/admin/projections.' },
        { status: 409, description: 'already-running: a rebuild of this tenant runs (in any process); `running` says which and since when. older-version: a newer read-model version than this process\'s serves the tenant (a deploy), and a rebuild here would switch it back; `liveVersion` names it.' },
      ],
      handle: async ({ tenant }) => {
        // Refused at once rather than after a whole build: the switch would refuse it too (OlderVersionRefused, 409).
        await readSchemas.refuseIfNewerLive(tenant);
        const lease = await guarded(tenant, 'rebuild');
        const job: RebuildJob = { startedAt: lease.startedAt, state: 'building' };
        jobs.set(tenant, job);
        readSchemas
          .rebuild(tenant, { onProgress: (progress) => void (job.progress = progress) })
          .then(() => {
            job.state = 'done';
          })
          .catch((error: unknown) => {
            job.state = 'failed';
            job.error = 'the rebuild failed; see the service log';
            logger.error({ err: error, tenant }, 'read schema rebuild failed');
          })
          .finally(() => lease.release());
        return { status: 202, body: { status: 'building', startedAt: job.startedAt, alreadyRunning: false } };
      },
    }),
    route({
      method: 'post',
      path: '/api/admin/projections/verify',
      summary: 'Rebuild into a scratch schema and compare it with the live one',
      tag: 'Read models',
      access: 'admin',
      responses: [
        { status: 200, description: '`{ ok, differences }`' },
        { status: 409, description: 'already-running: a verify of this tenant runs (in any process); `running` says which and since when.' },
      ],
      handle: async ({ tenant }) => {
        const lease = await guarded(tenant, 'verify');
        let result: Awaited<ReturnType<typeof verifyReadSchema>>;
        try {
          await readSchemas.ensureLive(tenant);
          result = await verifyReadSchema(db, readSchemas, store, tenant);
        } finally {
          await lease.release();
        }
        return { status: 200, body: { ok: result.ok, schema: result.schema, position: result.position, differences: result.differences, differingRows: result.differingRows } };
      },
    }),
  ];
}
