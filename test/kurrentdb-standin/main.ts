import { parseArgs } from 'node:util';
import { startStandIn } from './server.js';

/**
 * Starts the KurrentDB stand-in by hand, for running the service against it:
 *   npx tsx test/kurrentdb-standin/main.ts --port 2113
 *   EVENT_STORE=kurrentdb KURRENTDB_URL='kurrentdb://127.0.0.1:2113?tls=false' npm start
 * Everything lives in memory and is gone when the process ends (Ctrl-C).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '2113' },
    host: { type: 'string', default: '127.0.0.1' },
    'idempotence-window': { type: 'string' },
    'stats-every': { type: 'string' },
  },
});

const standIn = await startStandIn({
  port: Number(values.port),
  host: values.host,
  ...(values['idempotence-window'] ? { idempotenceWindow: Number(values['idempotence-window']) } : {}),
  ...(values['stats-every'] ? { statsEvery: Number(values['stats-every']) } : {}),
});
console.log(`KurrentDB stand-in (in memory, not a real server) listening: ${standIn.url}`);

const stop = (): void => {
  void standIn.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
