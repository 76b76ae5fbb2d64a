/**
 * Readers and writers of one version during the deploy, over HTTP as users' integrations would:
 * each loop sends its next request to the next process of its version (a round-robin load
 * balancer) and counts every answer. A `503 not-ready` with Retry-After is counted apart (the
 * documented answer to a new-version request that comes too early); a 500, any other refusal, a
 * lost connection or a read without the version's fields is a failure.
 */
import { randomUUID } from 'node:crypto';

/** A tenant the traffic works in, with a bearer token and an untracked article in a bin. */
export interface TrafficSession {
  readonly tenant: string;
  readonly token: string;
  readonly sku: string;
  readonly bin: string;
}

/** What the loops of one kind counted. */
export interface Tally {
  requests: number;
  ok: number;
  notReady: number;
  failed: number;
  /** 200 answers of the wrong shape for the version (a wrong answer, counted among the failed too). */
  wrong: number;
  firstFailure?: string;
}

/** Options of {@link startTraffic}. */
export interface TrafficOptions {
  readonly kind: 'read' | 'write';
  readonly loops: number;
  /** The base URLs of the version's processes, asked before every request (they change during the deploy). */
  readonly targets: () => readonly string[];
  readonly sessions: readonly TrafficSession[];
  /** Whether this version's GET /api/stock rows carry lastCountedAt (version B) or not (version A). */
  readonly lastCountedAt: boolean;
  /** Pause between one loop's requests (ms), so that the traffic does not take both cores. */
  readonly pauseMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function request(target: string, session: TrafficSession, kind: 'read' | 'write', n: number): Promise<Response> {
  const headers = { 'x-tenant': session.tenant, authorization: `Bearer ${session.token}`, 'content-type': 'application/json' };
  if (kind === 'read') return await fetch(`${target}/api/stock`, { headers });
  // Mostly receipts; every fourth movement a count, which version B's rows show as lastCountedAt.
  const [path, body] =
    n % 4 === 3
      ? ['/api/stock/counts', { location: session.bin, lines: [{ sku: session.sku, counted: 1000 }] }]
      : ['/api/stock/receipts', { lines: [{ sku: session.sku, quantity: 1, location: session.bin }] }];
  return await fetch(`${target}${path}`, { method: 'POST', headers: { ...headers, 'idempotency-key': randomUUID() }, body: JSON.stringify(body) });
}

/** Whether a 200 of GET /api/stock has the shape of the version: every row with lastCountedAt (B) or none (A). */
function rightShape(body: unknown, lastCountedAt: boolean): boolean {
  const items = (body as { items?: unknown }).items;
  if (!Array.isArray(items)) return false;
  return items.every((item) => typeof item === 'object' && item !== null && Object.hasOwn(item, 'lastCountedAt') === lastCountedAt);
}

/** Starts the loops; stop() ends them after their request in flight and returns the tally. */
export function startTraffic(options: TrafficOptions): { readonly tally: Tally; stop(): Promise<Tally> } {
  const tally: Tally = { requests: 0, ok: 0, notReady: 0, failed: 0, wrong: 0 };
  let running = true;
  const fail = (what: string): void => {
    tally.failed += 1;
    tally.firstFailure ??= what;
  };
  const loops = Array.from({ length: options.loops }, async (_, loop) => {
    for (let n = loop; running; n += options.loops) {
      const targets = options.targets();
      const target = targets[n % targets.length];
      const session = options.sessions[n % options.sessions.length];
      if (target === undefined || session === undefined) break;
      tally.requests += 1;
      try {
        const response = await request(target, session, options.kind, Math.floor(n / options.sessions.length));
        const body: unknown = await response.json().catch(() => undefined);
        const code = (body as { code?: unknown } | undefined)?.code;
        if (response.status === 503 && code === 'not-ready') {
          if (response.headers.get('retry-after')) tally.notReady += 1;
          else fail('503 not-ready without Retry-After');
        } else if (response.status === (options.kind === 'read' ? 200 : 201)) {
          if (options.kind === 'read' && !rightShape(body, options.lastCountedAt)) {
            tally.wrong += 1;
            fail(`a read of ${session.tenant} without the version's fields: ${JSON.stringify(body).slice(0, 200)}`);
          } else {
            tally.ok += 1;
          }
        } else {
          fail(`${options.kind} ${session.tenant}: ${response.status} ${String(code)}`);
        }
      } catch (error) {
        fail(`${options.kind} ${session.tenant}: ${(error as Error).message}`);
      }
      await sleep(options.pauseMs);
    }
  });
  return {
    tally,
    async stop() {
      running = false;
      await Promise.all(loops);
      return tally;
    },
  };
}
