/**
 * The prepare-split benchmark's measurement: the tenants prepared phase by phase on one backend
 * of their own under one condition (the catalog's size, idle backends), the CPU of each phase
 * read from that backend's /proc entry and from this process.
 */
import { readFile } from 'node:fs/promises';
import { closeDatabase, openDatabase, type Database } from '../../src/database/connection.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { readModelDdl } from '../../src/projections/read-model.sql.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { readSchemaName } from '../../src/projections/schema-name.js';
import type { BenchContext } from '../benchmark.js';
import { serverCpuMs } from '../cpu-time.js';
import { runConcurrently } from '../measure.js';

/** The phases of one tenant's prepare, in order. */
export const phases = ['schema DDL + registry', 'read', 'apply', 'indexes'] as const;
export type Phase = (typeof phases)[number];

/** One condition under which the tenants are prepared. */
export interface Condition {
  readonly label: string;
  /** Unrelated read schemas present in the database (26 relations each), created before the condition if fewer exist. */
  readonly extraSchemas: number;
  /** Connections open and idle during the condition, each with a warm catalog cache, as a deploy's pools have them. */
  readonly idleBackends: number;
}

/** CPU ms per tenant of a phase: the preparing backend's and this process's. */
export interface PhaseCpu {
  readonly server: number | undefined;
  readonly node: number;
}

/** What one condition measured, per tenant. */
export interface ConditionResult {
  readonly label: string;
  readonly perTenant: Record<Phase, PhaseCpu>;
  readonly ownServerPerTenant: number | undefined;
  /** The server's CPU besides the preparing backend's while the condition ran (idle backends' invalidation work, autovacuum, checkpointer). */
  readonly elsewherePerTenant: number | undefined;
  readonly wallPerTenant: number;
}

const extraDefault = Number(process.env.PREPARE_SPLIT_EXTRA_SCHEMAS ?? 1900);

/** The conditions named in PREPARE_SPLIT_CONDITIONS (comma-separated), or all four. */
export function conditionsOf(names: string | undefined): Condition[] {
  const all: Record<string, Condition> = {
    clean: { label: 'own schemas only, no other backends', extraSchemas: 0, idleBackends: 0 },
    idle: { label: '100 idle backends', extraSchemas: 0, idleBackends: 100 },
    relations: { label: `${extraDefault} unrelated schemas (~${Math.round((extraDefault * 26) / 1000)},000 relations)`, extraSchemas: extraDefault, idleBackends: 0 },
    both: { label: `${extraDefault} unrelated schemas and 100 idle backends`, extraSchemas: extraDefault, idleBackends: 100 },
  };
  const chosen = (names ?? 'clean,idle,relations,both').split(',').map((name) => name.trim());
  return chosen.map((name) => {
    const condition = all[name];
    if (!condition) throw new Error(`unknown prepare-split condition ${name}; known: ${Object.keys(all).join(', ')}`);
    return condition;
  });
}

/** CPU ms a process has run so far: exact from schedstat (ns), else from stat's 10 ms ticks. */
async function pidCpuMs(pid: number): Promise<number | undefined> {
  try {
    return Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

const nodeCpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Creates unrelated read schemas until `count` exist (named so that only this bench makes them). */
async function ensureExtraSchemas(db: Database, count: number): Promise<void> {
  const { n } = await db.one<{ n: number }>(`select count(*)::int as n from pg_namespace where nspname like 'rm_psextra%'`);
  if (n >= count) return;
  await runConcurrently(count - n, 4, (index) => db.none(readModelDdl(readSchemaName(`psextra${n + index}`, 'x'))));
}

/** Opens `count` connections that have each read the catalog and a read schema, and leaves them idle. */
async function openIdleBackends(url: string, count: number, schema: string | undefined): Promise<{ db: Database; connections: Array<{ done(): void }> }> {
  const db = openDatabase(url, { max: count, applicationName: 'prepare-split-idle' });
  const connections = [];
  for (let index = 0; index < count; index += 1) {
    const connection = await db.connect();
    await connection.any('select count(*) from pg_class');
    if (schema) await connection.any('select * from $1:name.balances limit 1', [schema]);
    connections.push(connection);
  }
  return { db, connections };
}

/** Prepares every tenant under `condition` with a version of its own, phase by phase. */
export async function measureCondition(context: BenchContext, tenants: readonly string[], condition: Condition, version: string): Promise<ConditionResult> {
  if (condition.extraSchemas > 0) await ensureExtraSchemas(context.db, condition.extraSchemas);
  const one = openDatabase(context.url, { max: 1, applicationName: 'prepare-split' });
  const store = new PostgresEventStore(one, context.logger);
  const schemas = new ReadSchemas(one, store, context.logger, version);
  const idle = condition.idleBackends > 0 ? await openIdleBackends(context.url, condition.idleBackends, (await context.db.oneOrNone<{ schema_name: string }>('select schema_name from read_schemas limit 1'))?.schema_name) : undefined;
  try {
    const { pid } = await one.one<{ pid: number }>('select pg_backend_pid() as pid');
    const sums = Object.fromEntries(phases.map((phase) => [phase, { server: 0, node: 0 }])) as Record<Phase, { server: number; node: number }>;
    let exact = true;
    const timed = async (phase: Phase, work: () => Promise<unknown>): Promise<void> => {
      const [serverBefore, nodeBefore] = [await pidCpuMs(pid), nodeCpuMs()];
      await work();
      const [serverAfter, nodeAfter] = [await pidCpuMs(pid), nodeCpuMs()];
      if (serverBefore === undefined || serverAfter === undefined) exact = false;
      sums[phase].server += (serverAfter ?? 0) - (serverBefore ?? 0);
      sums[phase].node += nodeAfter - nodeBefore;
    };
    const serverBefore = context.serverPid === undefined ? undefined : await serverCpuMs(context.serverPid);
    const ownBefore = await pidCpuMs(pid);
    const started = performance.now();
    for (const tenant of tenants) {
      let schema = '';
      await timed('schema DDL + registry', async () => (schema = await schemas.prepared(tenant)));
      await timed('read', async () => {
        for await (const event of store.readTenant(tenant, { after: '0', batchSize: 5000 })) void event;
      });
      await timed('apply', () => schemas.advance(tenant, schema, { batchSize: 5000 }));
      await timed('indexes', () => schemas.completeIndexes(schema));
    }
    const wallMs = performance.now() - started;
    const ownAfter = await pidCpuMs(pid);
    const serverAfter = context.serverPid === undefined ? undefined : await serverCpuMs(context.serverPid);
    const n = tenants.length;
    // advance read the events too: what it cost beyond a read alone is applying them.
    const perTenant = Object.fromEntries(
      phases.map((phase) => {
        const sum = sums[phase];
        const server = phase === 'apply' ? sum.server - sums.read.server : sum.server;
        const node = phase === 'apply' ? sum.node - sums.read.node : sum.node;
        return [phase, { server: exact ? server / n : undefined, node: node / n }];
      }),
    ) as Record<Phase, PhaseCpu>;
    const own = ownBefore === undefined || ownAfter === undefined ? undefined : ownAfter - ownBefore - sums.read.server;
    const total = serverBefore === undefined || serverAfter === undefined ? undefined : serverAfter - serverBefore;
    return {
      label: condition.label,
      perTenant,
      ownServerPerTenant: own === undefined ? undefined : own / n,
      elsewherePerTenant: total === undefined || own === undefined ? undefined : (total - own - sums.read.server) / n,
      wallPerTenant: wallMs / n,
    };
  } finally {
    if (idle) {
      for (const connection of idle.connections) connection.done();
      await closeDatabase(idle.db);
    }
    await store.close();
    await closeDatabase(one);
  }
}
