/**
 * Set-up of a rebuild benchmark tenant (not measured): its catalog through the real command
 * handlers, then a long stock history written straight to the store, encoded exactly as the
 * command handlers encode events, 1,000 events per append with several appends in flight.
 */
import { randomUUID } from 'node:crypto';
import type { CommandHandlers } from '../../src/commands/command-handlers.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { encodeEvent } from '../../src/events/codec.js';
import { benchMetadata } from '../commands/setup.js';
import { ArticleSimulation, seededRandom, type BenchArticle, type ExpectedTotals } from './history.js';

/** The shape of a benchmark tenant. */
export interface TenantShape {
  readonly bins: number;
  readonly articles: number;
  /** Share of lot-tracked articles (the others track nothing). */
  readonly lotShare: number;
  /** Stock events to write after the catalog. */
  readonly stockEvents: number;
  readonly seed: number;
}

const binCode = (index: number): string => `B-${String(index + 1).padStart(2, '0')}`;

/**
 * Creates the warehouse, its bins and the articles through the command handlers; each article is
 * kept in three of the bins (or all, when there are fewer).
 */
export async function createCatalog(side: CommandHandlers, tenant: string, shape: TenantShape): Promise<BenchArticle[]> {
  const random = seededRandom(shape.seed);
  const bins = Array.from({ length: shape.bins }, (_, index) => binCode(index));
  await side.catalog.createLocation(benchMetadata(tenant), { code: 'WH', type: 'warehouse' });
  for (const code of bins) await side.catalog.createLocation(benchMetadata(tenant), { code, type: 'storage', parent: 'WH' });
  const articles: BenchArticle[] = [];
  for (let index = 0; index < shape.articles; index += 1) {
    const tracking = random() < shape.lotShare ? 'lot' : 'none';
    const sku = `ART-${String(index).padStart(4, '0')}`;
    await side.catalog.registerArticle(benchMetadata(tenant), {
      sku,
      name: `Article ${index}`,
      unit: 'pcs',
      tracking,
      barcode: `400${String(index).padStart(10, '0')}`,
      reorderPoint: 50_000,
      ...(tracking === 'lot' ? { shelfLifeDays: 400 } : {}),
    });
    const first = Math.floor(random() * bins.length);
    const kept = Array.from({ length: Math.min(3, bins.length) }, (_, offset) => bins[(first + offset * 7) % bins.length] as string);
    articles.push({ sku, tracking, bins: [...new Set(kept)] });
  }
  return articles;
}

/** Events per article: a few fast movers take most of the movements (weights 1 / rank^0.7). */
function eventsPerArticle(articles: number, total: number): number[] {
  const weights = Array.from({ length: articles }, (_, rank) => 1 / (rank + 1) ** 0.7);
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((weight) => Math.max(1, Math.floor((weight / sum) * total)));
  let missing = total - counts.reduce((a, b) => a + b, 0);
  for (let index = 0; missing > 0; index = (index + 1) % articles, missing -= 1) counts[index] = (counts[index] ?? 0) + 1;
  return counts;
}

/** Options of {@link writeStockHistory}. */
export interface HistoryOptions {
  /** Events per store.append (one stock stream each). */
  readonly appendSize: number;
  /** Appends in flight at once. */
  readonly inFlight: number;
  /** Business time of the first event and the length of the history. */
  readonly startMs: number;
  readonly days: number;
  readonly onProgress?: (written: number) => void;
}

/**
 * Writes `shape.stockEvents` stock events: each article's history is simulated in business-time
 * order and cut into appends of `appendSize`; appends are written in order of their first event's
 * business time, at most `inFlight` at once and one at a time per article, so each stream's
 * events are in the order they were simulated. Returns what the projection must show.
 */
export async function writeStockHistory(store: EventStore, tenant: string, articles: readonly BenchArticle[], shape: TenantShape, options: HistoryOptions): Promise<ExpectedTotals> {
  const random = seededRandom(shape.seed + 1);
  const counts = eventsPerArticle(articles.length, shape.stockEvents);
  const spanMs = options.days * 86_400_000;
  const simulations = articles.map((article) => new ArticleSimulation(article, random));
  const chunks = articles.flatMap((article, index) => {
    const count = counts[index] ?? 0;
    return Array.from({ length: Math.ceil(count / options.appendSize) }, (_, chunk) => ({
      index,
      first: chunk * options.appendSize,
      size: Math.min(options.appendSize, count - chunk * options.appendSize),
      startsAt: (chunk * options.appendSize) / count,
    }));
  });
  chunks.sort((a, b) => a.startsAt - b.startsAt || a.index - b.index);

  const previous = new Map<number, Promise<unknown>>();
  const inFlight = new Set<Promise<unknown>>();
  let written = 0;
  for (const chunk of chunks) {
    const article = articles[chunk.index] as BenchArticle;
    const simulation = simulations[chunk.index] as ArticleSimulation;
    const count = counts[chunk.index] ?? 1;
    const user = `picker-${chunk.index % 7}`;
    const events = Array.from({ length: chunk.size }, (_, offset) => {
      const at = options.startMs + ((chunk.first + offset + random()) / count) * spanMs;
      const { event, occurredAt } = simulation.next(at);
      return encodeEvent(event, randomUUID(), { tenant, user, source: 'api', correlationId: randomUUID(), occurredAt });
    });
    while (inFlight.size >= options.inFlight) await Promise.race(inFlight);
    const after = previous.get(chunk.index) ?? Promise.resolve();
    const append = after
      .then(() => store.append(streamName(tenant, 'stock', article.sku), events, { expectedRevision: 'any' }))
      .then(() => {
        written += events.length;
        options.onProgress?.(written);
      });
    const tracked = append.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    previous.set(chunk.index, append);
  }
  await Promise.all(inFlight);
  const totals: ExpectedTotals = { onHand: 0, balanceRows: 0, reserved: 0, ledgerRows: 0 };
  for (const simulation of simulations) simulation.addTo(totals);
  return totals;
}
