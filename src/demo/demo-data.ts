import type { CommandHandlers } from '../commands/command-handlers.js';
import { Agenda } from './agenda.js';
import { demoCatalog, type DemoArticle } from './article-catalog.js';
import { CustomerOrders } from './customer-orders.js';
import { demoMetadata, MovementRunner } from './movement-runner.js';
import { Purchasing } from './purchasing.js';
import { SeededRandom } from './seeded-random.js';
import { day, hour, isWorkingDay, startOfDay, type Simulation } from './simulation.js';
import { StockBook } from './stock-book.js';
import { StockKeeping } from './stock-keeping.js';
import { demoWarehouse } from './warehouse-layout.js';

/** What demo to make, and for whom. */
export interface DemoOptions {
  /** The tenant the demo data goes into (its slug); it should have no stock data yet. */
  readonly tenant: string;
  /** Who the events are recorded by. */
  readonly user: string;
  /** The same seed (and `now`) gives the same catalog, warehouse and movements. Default 1. */
  readonly seed?: number;
  /** How many articles (default 500): about 70% untracked, 20% by lot, 10% by serial. */
  readonly articles?: number;
  /** How many days of history before `now` (default 90). */
  readonly days?: number;
  /** The present: every movement lies before it. Default: the clock's now. */
  readonly now?: Date;
  /** Commands in flight at once (default 8), never two on the same article. */
  readonly concurrency?: number;
  /** Progress: `done` of `total` steps of `what` ('locations', 'articles' or 'days'). */
  readonly onProgress?: (done: number, total: number, what: string) => void;
}

/** What the demo consists of. */
export interface DemoSummary {
  readonly locations: number;
  readonly articles: number;
  /** Stock movements recorded (receipts, transfers, reservations, releases, shipments, returns, adjustments, counts, reversals). */
  readonly movements: number;
  /** Events appended in all: catalog, locations, stock, movement records, reservation references. */
  readonly events: number;
}

/** Runs `work` on every item, `concurrency` at a time; resolves once all are done, rejects with the first failure. */
async function eachAtOnce<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Fills a tenant with a realistic demo, through the command handlers (so every event is one the
 * deciders recorded): warehouse `WH1` with receiving and shipping docks, returns, quarantine and
 * 192 bins; `articles` articles of every tracking kind, some with barcodes and reorder points; and
 * `days` days of business up to `now`: deliveries and put-away, customer orders reserved, picked,
 * shipped, cancelled or shipped short, counter sales, returns and their inspection, cycle counts,
 * adjustments, expired lots written off, and a few reversals. Movements are back-dated in
 * chronological order per article, none in the future. A command refused by the domain is a bug
 * in the generator and is thrown.
 */
export async function generateDemoData(handlers: CommandHandlers, options: DemoOptions): Promise<DemoSummary> {
  const seed = options.seed ?? 1;
  const days = options.days ?? 90;
  const articleCount = options.articles ?? 500;
  const concurrency = options.concurrency ?? 8;
  const now = (options.now ?? new Date()).getTime();
  const progress = options.onProgress ?? (() => undefined);
  if (!Number.isInteger(days) || days < 1) throw new Error(`days must be a whole number of at least 1, not ${days}`);
  if (!Number.isInteger(articleCount) || articleCount < 1) throw new Error(`articles must be a whole number of at least 1, not ${articleCount}`);

  const random = new SeededRandom(seed);
  const layout = demoWarehouse();
  const ordersPerDay = Math.max(1, articleCount * 0.06);
  const articles = demoCatalog(random, articleCount, layout.bins, ordersPerDay * 1.9);
  const firstDay = startOfDay(now) - days * day;
  const who = { tenant: options.tenant, user: options.user, seed };
  let events = 0;

  // Parents first: each level of the tree once the level above it exists.
  const depth = new Map<string, number>();
  for (const location of layout.locations) depth.set(location.code, location.parent === undefined ? 0 : (depth.get(location.parent) ?? 0) + 1);
  let locationsDone = 0;
  for (let level = 0; level <= Math.max(...depth.values()); level += 1) {
    await eachAtOnce(
      layout.locations.filter((location) => depth.get(location.code) === level),
      concurrency,
      async (location) => {
        const created = await handlers.catalog.createLocation(demoMetadata(who, 'warehouse-layout', firstDay), location);
        events += created.events.length;
        progress((locationsDone += 1), layout.locations.length, 'locations');
      },
    );
  }
  let articlesDone = 0;
  await eachAtOnce(articles, concurrency, async (article) => {
    const registered = await handlers.catalog.registerArticle(demoMetadata(who, 'catalog', firstDay), article.details);
    events += registered.events.length;
    progress((articlesDone += 1), articles.length, 'articles');
  });

  const book = new StockBook();
  const runner = new MovementRunner(handlers, book, who, concurrency);
  const agenda = new Agenda(now);
  const bySku = new Map<string, DemoArticle>(articles.map((article) => [article.details.sku, article]));
  const numbers = new Map<string, number>();
  const simulation: Simulation = {
    random,
    book,
    runner,
    agenda,
    layout,
    articles,
    article: (sku) => {
      const article = bySku.get(sku);
      if (!article) throw new Error(`demo generator: no article ${sku}`);
      return article;
    },
    number: (series) => {
      const n = (numbers.get(series) ?? 0) + 1;
      numbers.set(series, n);
      return n;
    },
  };
  const purchasing = new Purchasing(simulation);
  const orders = new CustomerOrders(simulation, ordersPerDay);
  const keeping = new StockKeeping(simulation, purchasing, Math.max(1, Math.round(articleCount / 150)));

  // Each day's plan is made at its start, so the calendar holds one day ahead at most.
  let workingDay = 0;
  const planDay = async (dayIndex: number): Promise<void> => {
    const dayStart = firstDay + dayIndex * day;
    progress(dayIndex, days + 1, 'days');
    if (dayIndex < days) agenda.schedule(dayStart + day, async () => await planDay(dayIndex + 1));
    if (dayIndex === 0) purchasing.openingStock(dayStart);
    if (!isWorkingDay(dayStart)) return;
    if (dayIndex > 0) orders.planDay(dayStart);
    keeping.planDay(dayStart, workingDay);
    agenda.schedule(dayStart + 17 * hour, async (at) => await purchasing.reviewStock(at));
    workingDay += 1;
  };
  await planDay(0);
  try {
    for (let task = agenda.next(); task; task = agenda.next()) await task.run(task.at);
  } catch (error) {
    // Nothing may still be writing when the caller hears of the failure.
    await runner.drain().catch(() => undefined);
    throw error;
  }
  await runner.drain();
  progress(days + 1, days + 1, 'days');
  const recorded = runner.recordedCounts;
  return { locations: layout.locations.length, articles: articles.length, movements: recorded.movements, events: events + recorded.events };
}
