// A projector daemon in a process of its own, as a second service process would run it; the
// tests kill it with SIGKILL. Env: DATABASE_URL, PROJECTION_VERSION (optional), LEASE_RETRY_MS.
import { openDatabase } from '../../src/database/connection.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { createLogger } from '../../src/logger.js';
import { ProjectorDaemon } from '../../src/projections/daemon.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';

const logger = createLogger('silent');
const db = openDatabase(process.env.DATABASE_URL ?? '', { max: 5 });
const store = new PostgresEventStore(db, logger);
const schemas = new ReadSchemas(db, store, logger, ...(process.env.PROJECTION_VERSION ? [process.env.PROJECTION_VERSION] : []));
const daemon = new ProjectorDaemon(db, store, schemas, logger, { leaseRetryMs: Number(process.env.LEASE_RETRY_MS ?? 200), batchSize: 50 });
await daemon.start();
process.stdout.write('ready\n');
setInterval(() => process.stdout.write(`${JSON.stringify(daemon.status())}\n`), 200);
