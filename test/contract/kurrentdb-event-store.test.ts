/**
 * The event-store contract against the KurrentDB adapter: on the test stand-in
 * (test/kurrentdb-standin/, a gRPC server speaking KurrentDB's protocol to the real client), or,
 * with KURRENTDB_URL set, on that real server. Each test uses tenants of its own, so a shared real
 * server needs no cleaning; each stand-in run starts empty.
 */
import { describeEventStoreContract } from './event-store/contract.js';
import { openKurrentDbForTests, kurrentDbUnderTest } from '../support/kurrentdb.js';

describeEventStoreContract({
  name: `KurrentDB (${kurrentDbUnderTest()})`,
  // A second client on the same server stands for another process, learning of appends from the
  // server alone.
  capabilities: { otherProcess: true },
  open: async () => {
    const server = await openKurrentDbForTests();
    const store = server.store();
    const otherProcess = server.store();
    return {
      store,
      otherProcess,
      cleanup: async () => {
        await store.close();
        await otherProcess.close();
        await server.stop();
      },
    };
  },
});
