import type { ReturnReason } from '../domain/stock/events.js';
import { oneUnit, type Quantity } from '../domain/quantity.js';
import type { DemoArticle } from './article-catalog.js';
import type { PlannedTake } from './stock-book.js';
import { atWork, businessDate, day, hour, inSteps, later, startOfDay, timeOfDay, type Simulation } from './simulation.js';
import { definedFields } from '../domain/defined-fields.js';

/** An order reserved for a customer, waiting to be picked and shipped. */
interface CustomerOrder {
  readonly reference: string;
  readonly articles: readonly DemoArticle[];
}

/** A line as it left the warehouse: what a customer may send back. */
interface ShippedLine {
  readonly article: DemoArticle;
  readonly quantity: Quantity;
  readonly lot?: string;
  readonly serials?: readonly string[];
}

const returnReasons: readonly ReturnReason[] = ['damaged', 'wrong-item', 'unwanted', 'other'];
const skusOf = (articles: readonly DemoArticle[]): string[] => articles.map((article) => article.details.sku);
const total = (takes: readonly PlannedTake[]): Quantity => takes.reduce((sum, take) => sum + take.quantity, 0);

/**
 * Customer orders: each is reserved when it comes in and shipped later (straight from the bins, or
 * picked to a shipping dock first); some are counter sales shipped at once, some are cancelled,
 * some ship short and release the rest. A few shipments come back as returns, which are inspected
 * and put back, or quarantined and written off.
 */
export class CustomerOrders {
  private readonly popularity: readonly number[];
  private shipments = 0;

  constructor(
    private readonly simulation: Simulation,
    private readonly ordersPerDay: number,
  ) {
    this.popularity = simulation.articles.map((article) => article.popularity);
  }

  /** Plans the orders of one working day, arriving between 07:00 and 16:00 (half as many on Saturdays). */
  planDay(dayStart: number): void {
    const { random, agenda } = this.simulation;
    const mean = new Date(dayStart).getUTCDay() === 6 ? this.ordersPerDay / 2 : this.ordersPerDay;
    const orders = Math.max(0, Math.round(mean * (0.75 + random.next() * 0.5)));
    for (let i = 0; i < orders; i += 1) agenda.schedule(timeOfDay(random, dayStart, 7, 16), async (at) => await this.takeOrder(at));
  }

  /**
   * An order comes in for what can be shipped today (the rest is a lost sale): a counter sale
   * ships at once; any other order is reserved, anywhere or at a bin, and shipped, picked first or
   * cancelled later.
   */
  private async takeOrder(at: number): Promise<void> {
    const { random, runner, book, layout, articles } = this.simulation;
    const wantedLines = random.pickWeighted([1, 2, 3, 4], [45, 30, 15, 10]);
    const chosen = new Set<DemoArticle>();
    for (let tries = 0; chosen.size < wantedLines && tries < 12; tries += 1) chosen.add(random.pickWeighted(articles, this.popularity));
    await runner.settle(skusOf([...chosen]));
    const today = businessDate(at);
    const lines = [...chosen].flatMap((article) => {
      const [least, most] = article.orderQuantity;
      const wanted = inSteps(article, least + random.next() * (most - least), true);
      const takes = book.planTake(article.details.sku, wanted, { from: layout.bins, today, step: article.step, serialTracked: article.details.tracking === 'serial' });
      return takes.length === 0 ? [] : [{ article, takes }];
    });
    if (lines.length === 0) return;
    if (random.chance(0.15)) {
      const reference = random.chance(0.65) ? `CS-${String(this.simulation.number('CS')).padStart(5, '0')}` : undefined;
      await this.ship(at, reference, lines);
      return;
    }
    const order: CustomerOrder = { reference: `SO-${String(10_000 + this.simulation.number('SO'))}`, articles: lines.map((line) => line.article) };
    const atBin = random.chance(0.2);
    const reservation = lines.map(({ article, takes }) => {
      const [first] = takes;
      return atBin && first ? { sku: article.details.sku, quantity: first.quantity, location: first.location } : { sku: article.details.sku, quantity: total(takes) };
    });
    await runner.record({ kind: 'reservation', request: { reference: order.reference, lines: reservation } }, at, order.reference);
    // Orders in before noon leave the same afternoon, later ones the next working morning.
    const shipAt = (at - startOfDay(at)) / hour < 12 ? timeOfDay(random, startOfDay(at), 13, 17) : atWork(random, startOfDay(at) + day);
    if (random.chance(0.05)) {
      this.simulation.agenda.schedule(atWork(random, later(random, at, 2, 30)), async (releaseAt) => await this.release(releaseAt, order));
    } else if (!atBin && random.chance(0.2)) {
      this.simulation.agenda.schedule(shipAt, async (pickAt) => await this.pick(pickAt, order));
    } else {
      this.simulation.agenda.schedule(shipAt, async (shipmentAt) => await this.shipOrder(shipmentAt, order));
    }
  }

  /** Picks a reserved order to a shipping dock; it leaves from there a little later. */
  private async pick(at: number, order: CustomerOrder): Promise<void> {
    const { random, runner, book, layout } = this.simulation;
    await runner.settle(skusOf(order.articles));
    const dock = random.pick(layout.shipping);
    const lines = order.articles.flatMap((article) => {
      const { sku, tracking } = article.details;
      const reserved = [...book.reservation(sku, order.reference).values()].reduce((sum, quantity) => sum + quantity, 0);
      const takes = book.planTake(sku, reserved, { from: layout.bins, today: businessDate(at), withinWarehouse: true, step: article.step, serialTracked: tracking === 'serial' });
      return takes.map(({ location, ...take }) => ({ sku, from: location, to: dock, ...take }));
    });
    if (lines.length > 0) await runner.record({ kind: 'transfer', request: { reference: order.reference, lines } }, at, order.reference);
    this.simulation.agenda.schedule(later(random, at, 0.5, 2), async (shipAt) => await this.shipOrder(shipAt, order, dock));
  }

  /** Ships what is reserved for the order (sometimes a little less), from its dock or the bins; releases what is left. */
  private async shipOrder(at: number, order: CustomerOrder, dock?: string): Promise<void> {
    const { random, runner, book, layout } = this.simulation;
    await runner.settle(skusOf(order.articles));
    let short = false;
    const lines = order.articles.flatMap((article) => {
      const { sku, tracking } = article.details;
      const parts = book.reservation(sku, order.reference);
      const reserved = [...parts.values()].reduce((sum, quantity) => sum + quantity, 0);
      if (reserved === 0) return [];
      const wanted = random.chance(0.08) ? inSteps(article, reserved * random.next()) : reserved;
      const reservedAt = [...parts.keys()].find((location) => location !== '');
      const where = dock ? { from: [dock] } : { from: layout.bins, ...(reservedAt === undefined ? {} : { prefer: reservedAt }) };
      const takes = book.planTake(sku, wanted, { ...where, today: businessDate(at), ownReference: order.reference, step: article.step, serialTracked: tracking === 'serial' });
      if (total(takes) < reserved) short = true;
      return takes.length === 0 ? [] : [{ article, takes }];
    });
    if (lines.length === 0) {
      await this.release(at, order);
      return;
    }
    await this.ship(at, order.reference, lines);
    if (short) this.simulation.agenda.schedule(later(random, at, 0.5, 3), async (releaseAt) => await this.release(releaseAt, order));
  }

  private async ship(at: number, reference: string | undefined, lines: ReadonlyArray<{ article: DemoArticle; takes: readonly PlannedTake[] }>): Promise<void> {
    const { random, runner } = this.simulation;
    const request = lines.flatMap(({ article, takes }) => takes.map(({ location, ...take }) => ({ sku: article.details.sku, from: location, ...take })));
    await runner.record({ kind: 'shipment', request: definedFields({ reference, lines: request }) }, at, reference ?? `shipment-${at}`);
    // About one shipment in twenty comes back, at least one in thirty.
    this.shipments += 1;
    if (this.shipments % 30 === 5 || random.chance(0.02)) {
      const { article, takes } = random.pick(lines);
      const { location: _, ...shipped } = random.pick(takes);
      const returnAt = atWork(random, later(random, at, 24, 240));
      this.simulation.agenda.schedule(returnAt, async (receivedAt) => await this.receiveReturn(receivedAt, reference, { article, ...shipped }));
    }
  }

  /** Releases what is still reserved for the order (a cancellation, or the rest after a short shipment). */
  private async release(at: number, order: CustomerOrder): Promise<void> {
    const { runner, book } = this.simulation;
    const skus = skusOf(order.articles);
    await runner.settle(skus);
    if (skus.some((sku) => book.reservation(sku, order.reference).size > 0)) await runner.record({ kind: 'release', reference: order.reference, skus }, at, order.reference);
  }

  /** Goods come back from a customer into the returns area; they are inspected the next working day. */
  private async receiveReturn(at: number, orderReference: string | undefined, shipped: ShippedLine): Promise<void> {
    const { random, runner, book, layout } = this.simulation;
    const { article } = shipped;
    const { sku } = article.details;
    await runner.settle([sku]);
    let line: { sku: string; quantity: Quantity; to: string; lot?: string; serials?: string[] };
    if (shipped.serials) {
      const atCustomer = shipped.serials.filter((serial) => book.whereIs(sku, serial) === '@customer');
      if (atCustomer.length === 0) return;
      line = { sku, quantity: oneUnit, to: layout.returns, serials: [random.pick(atCustomer)] };
    } else {
      const quantity = random.chance(0.6) ? article.step : inSteps(article, shipped.quantity * random.next(), true);
      line = definedFields({ sku, quantity: Math.min(quantity, shipped.quantity), to: layout.returns, lot: shipped.lot });
    }
    const reason = random.pickWeighted(returnReasons, [35, 20, 35, 10]);
    const reference = orderReference ?? `RMA-${String(this.simulation.number('RMA')).padStart(5, '0')}`;
    await runner.record({ kind: 'return', request: { reference, reason, lines: [line] } }, at, reference);
    this.simulation.agenda.schedule(atWork(random, later(random, at, 16, 30)), async (inspectedAt) => await this.inspect(inspectedAt, reference, article, reason, line.lot));
  }

  /** A returned article goes back to its bin, or to quarantine when damaged (written off a few days later). */
  private async inspect(at: number, reference: string, article: DemoArticle, reason: ReturnReason, lot: string | undefined): Promise<void> {
    const { random, runner, book, layout } = this.simulation;
    const { sku, tracking } = article.details;
    await runner.settle([sku]);
    const to = reason === 'damaged' ? layout.quarantine : article.homeBin;
    const lots = lot === undefined ? {} : { lots: new Set([lot]) };
    const takes = book.planTake(sku, Number.MAX_SAFE_INTEGER, { from: [layout.returns], ...lots, withinWarehouse: true, step: article.step, serialTracked: tracking === 'serial' });
    if (takes.length === 0) return;
    await runner.record({ kind: 'transfer', request: { reference, lines: takes.map(({ location, ...take }) => ({ sku, from: location, to, ...take })) } }, at, reference);
    if (reason === 'damaged') this.simulation.agenda.schedule(atWork(random, later(random, at, 48, 120)), async (writtenOffAt) => await this.writeOff(writtenOffAt, reference, article, lot));
  }

  /** Damaged returns in quarantine are written off to @loss. */
  private async writeOff(at: number, reference: string, article: DemoArticle, lot: string | undefined): Promise<void> {
    const { runner, book, layout } = this.simulation;
    const { sku, tracking } = article.details;
    await runner.settle([sku]);
    const lots = lot === undefined ? {} : { lots: new Set([lot]) };
    const takes = book.planTake(sku, Number.MAX_SAFE_INTEGER, { from: [layout.quarantine], ...lots, step: article.step, serialTracked: tracking === 'serial' });
    if (takes.length === 0) return;
    const lines = takes.map(({ location, quantity, ...take }) => ({ sku, location, delta: -quantity, ...take }));
    await runner.record({ kind: 'adjustment', request: { reason: 'damaged', note: `Customer return ${reference}, not resaleable`, lines } }, at, reference);
  }
}
