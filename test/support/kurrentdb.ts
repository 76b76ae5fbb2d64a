/**
 * The KurrentDB the tests run against: a real server when KURRENTDB_URL is set (then the tests say
 * so), else a fresh in-memory stand-in (test/kurrentdb-standin/) for each opening. Tests keep to
 * tenants of their own, so a real server shared by many runs needs no cleaning.
 */
import { KurrentDbEventStore } from '../../src/eventstore/kurrentdb/kurrentdb-event-store.js';
import { createLogger } from '../../src/logger.js';
import { startStandIn } from '../kurrentdb-standin/server.js';

/** A KurrentDB opened for a test: its connection string, stores on it, and how to let it go. */
export interface KurrentDbForTests {
  readonly url: string;
  /** A new adapter instance (a client of its own) on this server; the caller closes it. */
  store(): KurrentDbEventStore;
  /** Stops the stand-in (a real server is left running). */
  stop(): Promise<void>;
}

/** The real server's connection string given to the tests, if any. */
export function realKurrentDbUrl(): string | undefined {
  const url = process.env.KURRENTDB_URL;
  return url && url.length > 0 ? url : undefined;
}

/** Which server the tests run on, for suite names and the log. */
export function kurrentDbUnderTest(): string {
  const url = realKurrentDbUrl();
  return url ? `KURRENTDB_URL ${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}` : 'the stand-in';
}

let announced = false;

/** Opens the KurrentDB of this run: the real one of KURRENTDB_URL, else a fresh stand-in. */
export async function openKurrentDbForTests(): Promise<KurrentDbForTests> {
  if (!announced) {
    announced = true;
    console.info(`KurrentDB tests run on ${kurrentDbUnderTest()}${realKurrentDbUrl() ? '' : ' (set KURRENTDB_URL to run them on a real server)'}`);
  }
  const logger = createLogger('silent');
  const real = realKurrentDbUrl();
  if (real) return { url: real, store: () => KurrentDbEventStore.connect(real, logger), stop: async () => undefined };
  const standIn = await startStandIn();
  return { url: standIn.url, store: () => KurrentDbEventStore.connect(standIn.url, logger, { resubscribeDelayMs: 100 }), stop: () => standIn.stop() };
}
