import type { Quantity } from '../domain/quantity.js';
import type { ReceiptRequest } from '../commands/stock-commands.js';
import { suppliers, type DemoArticle } from './article-catalog.js';
import { businessDate, day, inSteps, later, minute, nextWorkingDay, startOfDay, timeOfDay, type Simulation } from './simulation.js';
import { definedFields } from '../domain/defined-fields.js';

/** A line of a purchase order: what was ordered of an article. */
interface OrderLine {
  readonly article: DemoArticle;
  readonly quantity: Quantity;
}

/** Lines of a receipt or put-away in one command: more would make one movement very wide. */
const linesPerReceipt = 12;

/**
 * Purchasing and goods in: orders from suppliers what falls to its replenishment level, receives
 * each delivery at a receiving dock (with lots, expiry dates and serials) and puts it away into
 * the article's bin.
 */
export class Purchasing {
  private readonly onOrder = new Map<string, Quantity>();
  private readonly serialCounters = new Map<string, number>();
  private readonly lotCounters = new Map<string, number>();

  constructor(private readonly simulation: Simulation) {}

  /**
   * The first day's deliveries: every article's opening stock, supplier by supplier, from 06:00.
   * About a fifth of the articles with a reorder point start at it: low, but not yet down to
   * where purchasing orders.
   */
  openingStock(dayStart: number): void {
    const { random, articles } = this.simulation;
    suppliers.forEach((_, supplier) => {
      const lines = articles
        .filter((article) => article.supplier === supplier)
        .map((article) => {
          const { reorderPoint } = article.details;
          const low = reorderPoint !== undefined && random.chance(0.2);
          return { article, quantity: low ? reorderPoint : inSteps(article, article.replenishAt + article.replenishQuantity * (0.5 + random.next() * 0.6), true) };
        });
      this.order(lines, timeOfDay(random, dayStart, 6, 7), true);
    });
  }

  /** End of the day: what is at or below its replenishment level (free stock plus on order) is ordered. */
  async reviewStock(at: number): Promise<void> {
    const { runner, book, articles } = this.simulation;
    await runner.settle();
    const due = articles.filter((article) => book.freeStock(article.details.sku) + (this.onOrder.get(article.details.sku) ?? 0) <= article.replenishAt);
    suppliers.forEach((supplier, index) => {
      const lines = due.filter((article) => article.supplier === index).map((article) => ({ article, quantity: article.replenishQuantity }));
      if (lines.length === 0) return;
      let arrival = startOfDay(at);
      for (let days = 0; days < supplier.leadTimeDays; days += 1) arrival = nextWorkingDay(arrival);
      this.order(lines, timeOfDay(this.simulation.random, arrival, 6, 9), false);
    });
  }

  /** Places purchase orders (one per dozen lines) and plans their delivery. */
  private order(lines: readonly OrderLine[], arrival: number, opening: boolean): void {
    for (let first = 0; first < lines.length; first += linesPerReceipt) {
      const chunk = lines.slice(first, first + linesPerReceipt);
      const reference = `PO-${String(4000 + this.simulation.number('PO')).padStart(6, '0')}`;
      for (const { article, quantity } of chunk) this.onOrder.set(article.details.sku, (this.onOrder.get(article.details.sku) ?? 0) + quantity);
      this.simulation.agenda.schedule(arrival + first * minute, async (at) => await this.receive(at, reference, chunk, opening));
    }
  }

  /** A delivery arrives: booked in at a receiving dock; sometimes a little short. */
  private async receive(at: number, reference: string, ordered: readonly OrderLine[], opening: boolean): Promise<void> {
    const { runner, random, layout } = this.simulation;
    await runner.settle(ordered.map((line) => line.article.details.sku));
    const dock = random.pick(layout.receiving);
    const lines: Array<ReceiptRequest['lines'][number]> = [];
    for (const { article, quantity } of ordered) {
      const { sku, tracking, shelfLifeDays } = article.details;
      this.onOrder.set(sku, (this.onOrder.get(sku) ?? 0) - quantity);
      const delivered = random.chance(0.05) ? inSteps(article, quantity * (0.6 + random.next() * 0.35), true) : quantity;
      const line = { sku, quantity: delivered, location: dock, unitCost: article.unitCost };
      if (tracking === 'lot') {
        // Goods arrive part-way through their shelf life. The opening stock also holds an old lot
        // that expires during the demo or soon after it, so expiry reports have something to show.
        const old = opening && delivered >= 2 * article.step ? inSteps(article, delivered * (0.3 + random.next() * 0.2), true) : 0;
        if (old > 0) {
          const daysLeft = random.int(3, Math.ceil((this.simulation.agenda.end - at) / day) + 30);
          lines.push({ ...line, quantity: old, lot: this.nextLot(sku, at), expiresOn: businessDate(startOfDay(at) + daysLeft * day) });
        }
        const daysLeft = Math.max(1, Math.round((shelfLifeDays ?? 365) * (0.6 + random.next() * 0.4)));
        lines.push({ ...line, quantity: delivered - old, lot: this.nextLot(sku, at), expiresOn: businessDate(startOfDay(at) + daysLeft * day) });
      } else if (tracking === 'serial') {
        lines.push({ ...line, serials: Array.from({ length: delivered / 1000 }, () => this.nextSerial(article)) });
      } else {
        lines.push(line);
      }
    }
    await runner.record({ kind: 'receipt', request: { reference, lines } }, at, reference);
    this.simulation.agenda.schedule(later(random, at, 0.5, 3), async (putAwayAt) => await this.putAway(putAwayAt, reference, dock, ordered.map((line) => line.article)));
  }

  /**
   * What a receipt left at its dock goes to the article's bin, or to its overflow bin when the
   * bin already holds a full replenishment.
   */
  async putAway(at: number, reference: string | undefined, dock: string, articles: readonly DemoArticle[]): Promise<void> {
    const { runner, book } = this.simulation;
    await runner.settle(articles.map((article) => article.details.sku));
    const lines = articles.flatMap((article) => {
      const { sku, tracking } = article.details;
      const atBin = book.positions(sku).filter((position) => position.location === article.homeBin).reduce((sum, position) => sum + position.onHand, 0);
      const to = atBin > article.replenishQuantity ? article.overflowBin : article.homeBin;
      const takes = book.planTake(sku, Number.MAX_SAFE_INTEGER, { from: [dock], withinWarehouse: true, step: article.step, serialTracked: tracking === 'serial' });
      return takes.map(({ location, ...take }) => ({ sku, from: location, to, ...take }));
    });
    if (lines.length > 0) await runner.record({ kind: 'transfer', request: definedFields({ reference, lines }) }, at, reference ?? `put-away-${dock}-${at}`);
  }

  private nextLot(sku: string, at: number): string {
    const n = (this.lotCounters.get(sku) ?? 0) + 1;
    this.lotCounters.set(sku, n);
    return `L${businessDate(at).slice(2).replaceAll('-', '')}-${n}`;
  }

  private nextSerial(article: DemoArticle): string {
    const n = (this.serialCounters.get(article.details.sku) ?? 0) + 1;
    this.serialCounters.set(article.details.sku, n);
    return `${article.serialPrefix}${String(n).padStart(6, '0')}`;
  }
}

