/**
 * The links of a seal's chain over a tenant's events, for seal and verify seals (seals.ts). The
 * chain is sequential, but what each link hashes, the event's canonical JSON, is most of the
 * work (parsing the rows' JSON, ordering keys, writing it again, then SHA-256). Where the adapter
 * has TenantTextReads, the main thread only reads pages of rows with data and metadata as jsonb
 * text, unparsed, and a worker thread (seal-chain-worker.ts) parses them and chains the links, a
 * page behind: two cores share the work. The worker keeps the chain's last link between pages,
 * so pages go to it without waiting for the previous one's answer. The links are the same either
 * way (seal-chain-page.ts goes through the one canonical JSON); a short history (one page or less)
 * and an adapter without TenantTextReads are chained in this thread.
 */
import { Worker } from 'node:worker_threads';
import { hasTenantTextReads, type EventStore, type Position, type RecordedEventText } from '../eventstore/event-store.js';
import { canonicalEventJson } from './canonical-event.js';
import { chainLinksOfPage, linkAfter } from './seal-chain-page.js';

/** An event with the chain's link after it. */
export interface LinkedEvent {
  readonly position: Position;
  readonly id: string;
  /** Hex SHA-256. */
  readonly link: string;
}

/** Events per page handed to the worker by default. */
export const defaultChainPageSize = 2000;

/** Pages at the worker at most: enough to keep it busy, few enough to bound memory. */
const pagesAhead = 3;

/** Rows per read of the store. */
const readBatchSize = 10_000;

/**
 * Starts the worker. Compiled, it is seal-chain-worker.js beside this file; run from the
 * TypeScript sources (tsx, tests), the worker registers tsx first to load the .ts file.
 */
function startWorker(link: string): Worker {
  const fromSources = import.meta.url.endsWith('.ts');
  const source = new URL(`./seal-chain-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url);
  if (!fromSources) return new Worker(source, { workerData: { link } });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData: { link } });
}

/** The worker's answers, one per page sent, in the order sent. */
class ChainWorker {
  private readonly worker: Worker;
  private readonly waiting: Array<{ resolve: (links: string[]) => void; reject: (error: unknown) => void }> = [];
  private failure: unknown;

  constructor(link: string) {
    this.worker = startWorker(link);
    this.worker.on('message', (links: string[]) => this.waiting.shift()?.resolve(links));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`the seal worker stopped (exit code ${code})`)));
  }

  /** The links of `events`, continuing the chain from the page sent before. */
  chain(events: readonly RecordedEventText[]): Promise<string[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const answer = new Promise<string[]>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.worker.postMessage(events);
    return answer;
  }

  async stop(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    for (const waiting of this.waiting.splice(0)) waiting.reject(this.failure);
  }
}

/** `events` with their links, `links[i]` the link after `events[i]`. */
function* linked(events: readonly RecordedEventText[], links: readonly string[]): Generator<LinkedEvent> {
  for (const [index, event] of events.entries()) yield { position: event.position, id: event.id, link: links[index] as string };
}

/**
 * `tenant`'s events after `after` in position order, each with the chain's link after it, the
 * chain continuing from `link`. A caller may stop early: the worker is stopped.
 */
export async function* chainLinks(store: EventStore, tenant: string, after: Position, link: string, pageSize = defaultChainPageSize): AsyncGenerator<LinkedEvent> {
  if (!hasTenantTextReads(store)) {
    let previous = link;
    for await (const event of store.readTenant(tenant, { after, batchSize: readBatchSize })) {
      previous = linkAfter(previous, canonicalEventJson(event));
      yield { position: event.position, id: event.id, link: previous };
    }
    return;
  }
  let worker: ChainWorker | undefined;
  const sent: Array<{ events: RecordedEventText[]; links: Promise<string[]> }> = [];
  let page: RecordedEventText[] = [];
  let previous = link;
  try {
    for await (const event of store.readTenantText(tenant, { after, batchSize: readBatchSize })) {
      page.push(event);
      if (page.length < pageSize) continue;
      const full = page;
      page = [];
      if (!worker) {
        // The first page in this thread: a history of one page or less never starts a worker.
        const links = chainLinksOfPage(previous, full);
        previous = links.at(-1) ?? previous;
        worker = new ChainWorker(previous);
        yield* linked(full, links);
        continue;
      }
      const links = worker.chain(full);
      links.catch(() => undefined);
      sent.push({ events: full, links });
      if (sent.length >= pagesAhead) {
        const oldest = sent.shift() as (typeof sent)[number];
        yield* linked(oldest.events, await oldest.links);
      }
    }
    if (page.length > 0) {
      if (worker) {
        const links = worker.chain(page);
        links.catch(() => undefined);
        sent.push({ events: page, links });
      } else {
        yield* linked(page, chainLinksOfPage(previous, page));
      }
    }
    for (const pending of sent) yield* linked(pending.events, await pending.links);
  } finally {
    await worker?.stop();
  }
}
