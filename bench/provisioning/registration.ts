/**
 * The provisioning benchmark's registration part: POST /api/tenants through the whole service
 * (composition root, HTTP server, registration limit, argon2id, the registering transaction), one
 * registration at a time, against the argon2id hash alone with the configured parameters.
 */
import { startHttpServer } from '../../src/api/http-server.js';
import { composeApplication, type Application } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { closeDatabase, openDatabase, type Database } from '../../src/database/connection.js';
import { hashPassword } from '../../src/tenancy/passwords.js';
import { RegistrationLimit } from '../../src/tenancy/registration-limit.js';
import { registerTenant } from '../../src/tenancy/registration.js';
import { scaled, type BenchContext } from '../benchmark.js';
import { measureCpu, type CpuUse } from '../cpu-time.js';
import { formatCount, formatMs, markdownTable } from '../markdown.js';
import { percentile } from '../measure.js';
import { measureRegistrationSteps } from './registration-steps.js';

/** One series of timings. */
export interface Series {
  readonly label: string;
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  /** CPU ms per operation of this process (the service runs in it) and of the PostgreSQL server, background work included. */
  readonly cpu?: { readonly node: number; readonly server: number | undefined };
}

/** What the registration part measured. */
export interface RegistrationResult {
  readonly series: readonly Series[];
}

/** Registration ≤ 20 ms median (issue 15). */
export const registrationTargetMs = 20;

const password = 'correct horse battery staple';

function series(label: string, latencies: readonly number[], cpu?: CpuUse): Series {
  const sorted = Float64Array.from(latencies).sort();
  const count = sorted.length;
  return {
    label,
    count,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[count - 1] ?? Number.NaN,
    ...(cpu ? { cpu: { node: cpu.nodeMs / count, server: cpu.serverMs === undefined ? undefined : cpu.serverMs / count } } : {}),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Measures argon2id alone, then registrations over HTTP: paced (one every `paceMs`, as real
 * sign-ups arrive, so the spare-schema pool has refilled) and back to back (a burst that empties
 * the pool). Every registration comes from its own client address (TRUST_PROXY=loopback and
 * X-Forwarded-For), so the registration limit is counted as it is in production and never refuses.
 */
export async function measureRegistration(context: BenchContext, options: { paceMs?: number } = {}): Promise<RegistrationResult> {
  const count = scaled(context, 100, 8);
  const paceMs = options.paceMs ?? 100;
  const result: Series[] = [];

  const hashing = context.progress.phase(`provisioning: argon2id hash alone, ${count} passwords`);
  await hashPassword('warm up');
  const hashes: number[] = [];
  const { cpu: hashCpu } = await measureCpu(context.serverPid, async () => {
    for (let index = 0; index < count; index += 1) {
      const startedAt = performance.now();
      await hashPassword(`${password} ${index}`);
      hashes.push(performance.now() - startedAt);
    }
  });
  result.push(series('argon2id hash alone (m=19 MiB, t=2, p=1), in this process', hashes, hashCpu));
  hashing(`p50 ${formatMs(result[0]?.p50 ?? Number.NaN)} ms`);

  result.push(...(await registrations(context, { count, paceMs })));
  return { series: result };
}

/** The pool size the service has unless configured otherwise. */
const defaultPoolSize = loadConfig({}).READ_SCHEMA_POOL_SIZE;

/** One service under test: its configuration, pool and HTTP address. */
interface Service {
  readonly poolSize: number;
  readonly base: string;
  readonly application: Application;
  readonly db: Database;
  close(): Promise<void>;
}

async function startService(context: BenchContext, poolSize: number): Promise<Service> {
  const db = openDatabase(context.url, { max: 20, applicationName: `stockcontrol-bench-service-${poolSize}` });
  const config = loadConfig({ DATABASE_URL: context.url, LOG_LEVEL: 'silent', DEMO: 'false', TRUST_PROXY: 'loopback', READ_SCHEMA_POOL_SIZE: String(poolSize) });
  const application = composeApplication(config, context.logger, db);
  await application.start();
  const server = await startHttpServer(application.app, 0, '127.0.0.1');
  return {
    poolSize,
    base: `http://127.0.0.1:${server.port}`,
    application,
    db,
    close: async () => {
      await server.close(5_000);
      await application.close();
      await closeDatabase(db);
    },
  };
}

/**
 * Two services on the one database, READ_SCHEMA_POOL_SIZE=0 (each schema built in its
 * registration, as before the pool) and the default, and registrations alternating between them:
 * both meet the same background work (their projector daemons share every tenant registered so
 * far, each polled once a second when idle), so the two are compared fairly.
 */
async function registrations(context: BenchContext, options: { count: number; paceMs: number }): Promise<Series[]> {
  const { count, paceMs } = options;
  const services = [await startService(context, 0), await startService(context, defaultPoolSize)];
  const run = Date.now().toString(36);
  let client = 0;
  const register = async (service: Service, tenant: string): Promise<number> => {
    client += 1;
    const body = { companyName: `${tenant} Ltd`, tenant, email: `admin@${tenant}.example`, username: 'admin', password, passwordConfirm: password };
    const startedAt = performance.now();
    const response = await fetch(`${service.base}/api/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const elapsed = performance.now() - startedAt;
    if (response.status !== 201) throw new Error(`POST /api/tenants ${tenant}: ${response.status} ${text}`);
    return elapsed;
  };
  const result: Series[] = [];
  try {
    for (const service of services) await register(service, `warm${run}s${service.poolSize}`);
    await sleep(1000);
    for (const [way, pause] of [
      [`one every ${paceMs} ms`, paceMs],
      ['back to back', 0],
    ] as const) {
      const done = context.progress.phase(`provisioning: POST /api/tenants, ${way}, ${count} registrations per service`);
      const latencies = services.map((): number[] => []);
      const { cpu } = await measureCpu(context.serverPid, async () => {
        for (let index = 0; index < count * services.length; index += 1) {
          const which = index % services.length;
          const service = services[which] as Service;
          latencies[which]?.push(await register(service, `reg${run}${pause === 0 ? 'b' : 'p'}${index}`));
          if (pause > 0) await sleep(pause);
        }
      });
      // CPU is the two services' together, split evenly: both ran the whole time.
      const shared: CpuUse = { ...cpu, nodeMs: cpu.nodeMs / services.length, ...(cpu.serverMs === undefined ? {} : { serverMs: cpu.serverMs / services.length }) };
      services.forEach((service, which) => result.push(series(`POST /api/tenants, READ_SCHEMA_POOL_SIZE=${service.poolSize}, ${way}`, latencies[which] ?? [], shared)));
      done(services.map((service, which) => `pool ${service.poolSize}: p50 ${formatMs(result.at(which - services.length)?.p50 ?? Number.NaN)} ms`).join(', '));
      await sleep(1000);
    }
    // Where the time goes: the two halves of the route, called directly, paced as above.
    const directCount = Math.ceil(count / 2);
    const done = context.progress.phase(`provisioning: registration's parts called directly, ${directCount} per service`);
    const parts = services.map(() => ({ limit: [] as number[], register: [] as number[] }));
    for (let index = 0; index < directCount * services.length; index += 1) {
      const which = index % services.length;
      const service = services[which] as Service;
      const part = parts[which];
      let startedAt = performance.now();
      await new RegistrationLimit(service.db).take(`10.200.${which}.${index}`);
      part?.limit.push(performance.now() - startedAt);
      const tenant = `reg${run}d${index}`;
      startedAt = performance.now();
      await registerTenant(
        { db: service.db, users: service.application.users, readSchemas: service.application.readSchemas, logger: context.logger, baseDomain: 'localhost' },
        { companyName: `${tenant} Ltd`, tenant, email: `admin@${tenant}.example`, username: 'admin', password },
      );
      part?.register.push(performance.now() - startedAt);
      await sleep(paceMs);
    }
    services.forEach((service, which) => {
      result.push(series(`RegistrationLimit.take alone, READ_SCHEMA_POOL_SIZE=${service.poolSize}`, parts[which]?.limit ?? []));
      result.push(series(`registerTenant alone (hash and transaction), READ_SCHEMA_POOL_SIZE=${service.poolSize}`, parts[which]?.register ?? []));
    });
    done();
    // Step by step, each service alone in its phase (the other one idle but for its background work).
    for (const service of services) {
      const stepping = context.progress.phase(`provisioning: registration step by step, READ_SCHEMA_POOL_SIZE=${service.poolSize}, ${directCount} each`);
      for (const step of await measureRegistrationSteps(context, service, { count: directCount, paceMs, run })) {
        result.push(series(step.roundTrips === undefined ? step.label : `${step.label} (${formatMs(step.roundTrips)} round trips)`, step.latencies, step.cpu));
      }
      stepping();
    }
  } finally {
    for (const service of services) await service.close();
  }
  return result;
}

/** The registration table and what it means. */
export function registrationMarkdown(result: RegistrationResult): string {
  const cpu = (each: Series): string => (each.cpu ? `${formatMs(each.cpu.node)} + ${each.cpu.server === undefined ? 'n/a' : formatMs(each.cpu.server)}` : '');
  const rows = result.series.map((each) => [each.label, formatCount(each.count), formatMs(each.p50), formatMs(each.p95), formatMs(each.max), cpu(each)]);
  const paced = result.series.find((each) => each.label.includes(`POOL_SIZE=${defaultPoolSize}, one every`));
  const hash = result.series.find((each) => each.label.startsWith('argon2id'));
  return [
    markdownTable(['Registration', 'Count', 'p50 ms', 'p95 ms', 'max ms', 'CPU ms each (Node + PostgreSQL)'], rows),
    '',
    `Target: registration at most ${registrationTargetMs} ms median` +
      (paced ? `: ${paced.p50 <= registrationTargetMs ? 'met' : 'not met'} (${formatMs(paced.p50)} ms, paced).` : '.') +
      ` The service runs in the benchmark's process (composition root and HTTP server as \`npm start\` builds them); READ_SCHEMA_POOL_SIZE=0 builds the schema in the request (as before the pool), ${defaultPoolSize} is the default; ` +
      'each registration is timed from the request to the whole answer read, one at a time, each from its own client address. ' +
      'Back to back, the pool is emptied by the first few and the rest build their schema in the request while the pool refills beside them. ' +
      'The two services run side by side and registrations alternate between them; CPU is per registration in all, split evenly between the two, ' +
      'the services\' background work meanwhile (their projector daemons following every tenant registered so far, the pool\'s refills) included. ' +
      'The database work of a registration: the limit in 3 round trips (committed without waiting for the WAL flush), then one transaction ' +
      '(BEGIN, tenant and domain, the schema lock and check in one, the spare\'s claim, check and rename, registry rows, the admin, COMMIT: the step rows count them) whose commit waits for the flush; ' +
      'argon2id starts before the limit is asked and runs beside the limit and the transaction, whose last statement, the admin\'s row, waits for it. ' +
      'The step rows call each step alone, one phase per step, with that phase\'s CPU per operation, background work included; the "whole" row is the route\'s registerWithinLimit without HTTP.' +
      (hash && paced ? ` Here argon2id alone took ${formatMs(hash.p50)} ms median of wall time for ${formatMs(hash.cpu?.node ?? Number.NaN)} ms of CPU: the load's factor on everything else too.` : ''),
  ].join('\n');
}
