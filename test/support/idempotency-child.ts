// A service process that has claimed an Idempotency-Key and is still handling the request when
// the tests kill it with SIGKILL. Env: DATABASE_URL, TENANT, KEY, HASH. Prints "claimed <scope>"
// once the claim is written, then never finishes the request.
import { openDatabase } from '../../src/database/connection.js';
import { IdempotencyRecords } from '../../src/tenancy/idempotency.js';

const db = openDatabase(process.env.DATABASE_URL ?? '', { max: 2 });
const records = new IdempotencyRecords(db);
void records.run(process.env.TENANT ?? '', process.env.KEY ?? '', process.env.HASH ?? '', async (scope) => {
  process.stdout.write(`claimed ${scope}\n`);
  return await new Promise(() => undefined);
});
