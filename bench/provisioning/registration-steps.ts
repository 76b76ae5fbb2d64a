/**
 * The provisioning benchmark's registration, step by step, in the service's own process (issue
 * 15): each step of POST /api/tenants called directly, one phase per step, each phase's CPU
 * (Node + PostgreSQL) per operation and, for the transaction, its statements one by one with the
 * round trips counted. Then the whole registration as the route runs it (registerWithinLimit:
 * argon2id beside the limit and the transaction), to compare with the sum of its steps.
 */
import type { ITask } from 'pg-promise';
import type { Application } from '../../src/composition-root.js';
import type { Database } from '../../src/database/connection.js';
import { hashPassword } from '../../src/tenancy/passwords.js';
import { RegistrationLimit } from '../../src/tenancy/registration-limit.js';
import { registerWithinLimit } from '../../src/tenancy/registration.js';
import * as tenantsSql from '../../src/tenancy/tenants.sql.js';
import type { BenchContext } from '../benchmark.js';
import { measureCpu, type CpuUse } from '../cpu-time.js';

/** One step's timings (ms) and CPU over its phase. */
export interface StepSeries {
  readonly label: string;
  readonly latencies: readonly number[];
  readonly cpu?: CpuUse;
  /** Round trips per operation, where counted. */
  readonly roundTrips?: number;
}

const password = 'correct horse battery staple';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `t` with every statement it sends counted (each is one round trip). */
function counting<T extends object>(t: T, count: { statements: number }): T {
  const methods = new Set(['none', 'one', 'oneOrNone', 'many', 'manyOrNone', 'any', 'result', 'map', 'query', 'multi']);
  return new Proxy(t, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !methods.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        count.statements += 1;
        return (value as (...parameters: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/**
 * Measures the steps of `count` registrations against one service (its database handle and
 * application), `paceMs` apart so its spare-schema pool has refilled between them.
 */
export async function measureRegistrationSteps(
  context: BenchContext,
  service: { readonly db: Database; readonly application: Application; readonly poolSize: number },
  options: { count: number; paceMs: number; run: string },
): Promise<StepSeries[]> {
  const { db, application, poolSize } = service;
  const { count, paceMs, run } = options;
  const at = `READ_SCHEMA_POOL_SIZE=${poolSize}`;
  const phase = async (label: string, each: (index: number) => Promise<number | undefined>, roundTrips?: () => number): Promise<StepSeries> => {
    const latencies: number[] = [];
    const { cpu } = await measureCpu(context.serverPid, async () => {
      for (let index = 0; index < count; index += 1) {
        const startedAt = performance.now();
        const own = await each(index);
        latencies.push(own ?? performance.now() - startedAt);
        await sleep(paceMs);
      }
    });
    // The pauses' background work (pool refills, the projector) is in the CPU; each figure is per operation.
    return { label, latencies, cpu, ...(roundTrips ? { roundTrips: roundTrips() } : {}) };
  };
  const limit = new RegistrationLimit(db);
  const result: StepSeries[] = [];
  result.push(await phase(`step: RegistrationLimit.take, ${at}`, async (index) => void (await limit.take(`10.201.${poolSize}.${index}`))));
  result.push(await phase('step: argon2id hash', async (index) => void (await hashPassword(`${password} ${index}`))));

  // The registering transaction with the hash already made, statement by statement.
  const hashes = await Promise.all(Array.from({ length: count }, async (_, index) => await hashPassword(`${password} ${index}`)));
  const parts = { tenant: [] as number[], schema: [] as number[], user: [] as number[], commit: [] as number[] };
  const counted = { statements: 0 };
  result.push(
    await phase(
      `step: the registering transaction (hash given), ${at}`,
      async (index) => {
        const tenant = `reg${run}t${poolSize}x${index}`;
        let mark = performance.now();
        const startedAt = mark;
        const lap = (into: number[]): void => {
          const now = performance.now();
          into.push(now - mark);
          mark = now;
        };
        await db.tx('register-tenant', async (tx: ITask<unknown>) => {
          const t = counting(tx, counted);
          await t.none(tenantsSql.insertTenantWithDomain(), [tenant, `${tenant} Ltd`, `${tenant}.localhost`]);
          lap(parts.tenant);
          await application.readSchemas.createLiveIn(t, tenant);
          lap(parts.schema);
          await application.users.create(tenant, { username: 'admin', email: `admin@${tenant}.example`, password, role: 'admin' }, t, hashes[index]);
          lap(parts.user);
        });
        lap(parts.commit);
        return performance.now() - startedAt;
      },
      // BEGIN and COMMIT besides the statements.
      () => counted.statements / count + 2,
    ),
  );
  result.push({ label: '  of which: tenant and domain (1 round trip)', latencies: parts.tenant });
  result.push({ label: "  of which: the tenant's schema lock and check, the spare's claim and rename (or the schema built), registry rows", latencies: parts.schema });
  result.push({ label: '  of which: the admin user (1 round trip)', latencies: parts.user });
  result.push({ label: '  of which: COMMIT (waits for the WAL flush)', latencies: parts.commit });

  const dependencies = { db, users: application.users, readSchemas: application.readSchemas, logger: context.logger, baseDomain: 'localhost', registrations: limit };
  result.push(
    await phase(`whole: registerWithinLimit (limit, argon2id beside it and the transaction), ${at}`, async (index) => {
      const tenant = `reg${run}w${poolSize}x${index}`;
      await registerWithinLimit(dependencies, `10.202.${poolSize}.${index}`, { companyName: `${tenant} Ltd`, tenant, email: `admin@${tenant}.example`, username: 'admin', password });
      return undefined;
    }),
  );
  return result;
}
