import { isVirtualLocation } from '../domain/locations.js';
import { oneUnit } from '../domain/quantity.js';
import type { AdjustmentReason } from '../domain/stock/events.js';
import type { CountRequest } from '../commands/stock-commands.js';
import type { RecordedMovement } from './movement-runner.js';
import type { Purchasing } from './purchasing.js';
import { businessDate, day, later, timeOfDay, type Simulation } from './simulation.js';

type Adjustment = 'damaged' | 'lost' | 'found' | 'correction-in' | 'correction-out';

const notes: Record<Adjustment, readonly string[]> = {
  damaged: ['Forklift damage', 'Packaging torn', 'Dropped while picking'],
  lost: ['Not found at the bin after a search'],
  found: ['Found behind the rack', 'Found in the wrong bin'],
  'correction-in': ['Receipt booked short', 'Unit of measure corrected'],
  'correction-out': ['Shipment booked short', 'Unit of measure corrected'],
};

/** Why a movement of each kind is reversed. */
const reversalReasons: Partial<Record<RecordedMovement['kind'], string>> = {
  received: 'Delivery booked twice',
  shipped: 'Shipment booked, but the goods were not loaded',
  adjusted: 'Adjustment booked in error',
  transferred: 'Put away to the wrong bin',
};

/**
 * The demo warehouse's stock keeping, keeping the books right: cycle counts of a few bins a day
 * (some with differences), adjustments for damage, loss and finds, a weekly check that
 * quarantines expired lots (disposed of monthly), moves from overflow bins back to home bins, and
 * now and then the reversal of a recent mistake.
 */
export class StockKeeping {
  private readonly bins: ReadonlySet<string>;

  constructor(
    private readonly simulation: Simulation,
    private readonly purchasing: Purchasing,
    private readonly binsCountedPerDay: number,
  ) {
    this.bins = new Set(simulation.layout.bins);
  }

  /** Plans one working day's stock control; `workingDay` counts working days from 0. */
  planDay(dayStart: number, workingDay: number): void {
    const { random, agenda } = this.simulation;
    const date = new Date(dayStart);
    if (date.getUTCDay() === 1 && date.getUTCDate() <= 7) agenda.schedule(timeOfDay(random, dayStart, 6, 6.25), async (at) => await this.disposeExpired(at));
    if (date.getUTCDay() === 1) agenda.schedule(timeOfDay(random, dayStart, 6.5, 6.75), async (at) => await this.checkExpiry(at));
    for (let i = random.int(1, 2); i > 0; i -= 1) agenda.schedule(timeOfDay(random, dayStart, 9, 15), async (at) => await this.adjust(at));
    agenda.schedule(timeOfDay(random, dayStart, 12, 13), async (at) => await this.moveToHomeBins(at));
    for (let i = 0; i < this.binsCountedPerDay; i += 1) agenda.schedule(timeOfDay(random, dayStart, 14, 16.5), async (at) => await this.countBin(at));
    if (workingDay % 4 === 2) agenda.schedule(timeOfDay(random, dayStart, 15.5, 16), async (at) => await this.reverseMistake(at));
  }

  /** Counts every article and lot in one bin; about a quarter of the lines differ from the books. */
  private async countBin(at: number): Promise<void> {
    const { random, runner, book } = this.simulation;
    await runner.settle();
    const stocked = book.stockedLocations().filter((location) => this.bins.has(location));
    if (stocked.length === 0) return;
    const bin = random.pick(stocked);
    const differing = new Set<string>();
    const lines = book.contents(bin).map(({ sku, lot, onHand }): CountRequest['lines'][number] => {
      const article = this.simulation.article(sku);
      const lotOnly = lot === undefined ? {} : { lot };
      // One differing line per article: the decider checks each against the lines before it.
      const differs = !differing.has(sku) && random.chance(0.25);
      if (differs) differing.add(sku);
      if (article.details.tracking === 'serial') {
        const serials = book.serialsAt(sku, bin);
        const missing = differs && book.planTake(sku, oneUnit, { from: [bin], step: oneUnit, serialTracked: true }).length > 0 ? 1 : 0;
        const found = serials.slice(0, serials.length - missing);
        return { sku, counted: found.length * oneUnit, serials: found };
      }
      if (!differs) return { sku, counted: onHand, ...lotOnly };
      const steps = random.int(1, 3) * article.step;
      if (random.chance(0.45)) return { sku, counted: onHand + steps, ...lotOnly };
      const short = book.planTake(sku, steps, { from: [bin], ...(lot === undefined ? {} : { lots: new Set([lot]) }), step: article.step, serialTracked: false });
      return { sku, counted: onHand - short.reduce((sum, take) => sum + take.quantity, 0), ...lotOnly };
    });
    await runner.record({ kind: 'count', request: { location: bin, lines } }, at, `count-${bin}-${businessDate(at)}`);
  }

  /** Damage, a loss, a find or a correction at one of an article's bins. */
  private async adjust(at: number): Promise<void> {
    const { random, runner, book, articles } = this.simulation;
    const article = random.pick(articles);
    const { sku, tracking } = article.details;
    await runner.settle([sku]);
    const positions = book.positions(sku).filter((position) => this.bins.has(position.location));
    if (positions.length === 0) return;
    const position = random.pick(positions);
    let kind = random.pickWeighted<Adjustment>(['damaged', 'lost', 'found', 'correction-in', 'correction-out'], [35, 15, 20, 15, 15]);
    if (tracking === 'serial' && (kind === 'found' || kind === 'correction-in')) kind = 'damaged';
    const reason: AdjustmentReason = kind === 'correction-in' || kind === 'correction-out' ? 'correction' : kind;
    const note = random.pick(notes[kind]);
    const lot = position.lot === undefined ? {} : { lot: position.lot };
    if (kind === 'found' || kind === 'correction-in') {
      const lines = [{ sku, location: position.location, delta: random.int(1, 3) * article.step, ...lot }];
      await runner.record({ kind: 'adjustment', request: { reason, note, lines } }, at, `adjustment-${sku}-${at}`);
      return;
    }
    const wanted = tracking === 'serial' ? oneUnit : random.int(1, 2) * article.step;
    const lots = position.lot === undefined ? {} : { lots: new Set([position.lot]) };
    const takes = book.planTake(sku, wanted, { from: [position.location], ...lots, step: article.step, serialTracked: tracking === 'serial' });
    if (takes.length === 0) return;
    const lines = takes.map(({ location, quantity, ...take }) => ({ sku, location, delta: -quantity, ...take }));
    await runner.record({ kind: 'adjustment', request: { reason, note, lines } }, at, `adjustment-${sku}-${at}`);
  }

  /** Mondays: most expired lots leave the shelves for quarantine; some are overlooked until the next check. */
  private async checkExpiry(at: number): Promise<void> {
    const { random, runner, book, articles, layout } = this.simulation;
    await runner.settle();
    const today = businessDate(at);
    for (const article of articles) {
      const { sku } = article.details;
      const expired = book.positions(sku).filter((position) => position.expiresOn !== undefined && position.expiresOn < today && position.location !== layout.quarantine);
      if (expired.length === 0 || random.chance(0.25)) continue;
      const from = [...new Set(expired.map((position) => position.location))];
      const lots = new Set(expired.flatMap((position) => (position.lot === undefined ? [] : [position.lot])));
      const takes = book.planTake(sku, Number.MAX_SAFE_INTEGER, { from, lots, withinWarehouse: true, step: article.step, serialTracked: false });
      const lines = takes.map(({ location, ...take }) => ({ sku, from: location, to: layout.quarantine, ...take }));
      if (lines.length > 0) await runner.record({ kind: 'transfer', request: { reference: `EXP-${today}`, lines } }, at, `expiry-${today}`);
    }
  }

  /** First Monday of the month: the expired lots in quarantine are disposed of (written off to @loss). */
  private async disposeExpired(at: number): Promise<void> {
    const { runner, book, articles, layout } = this.simulation;
    await runner.settle();
    const today = businessDate(at);
    for (const article of articles) {
      const { sku } = article.details;
      const expired = book.positions(sku).filter((position) => position.location === layout.quarantine && position.expiresOn !== undefined && position.expiresOn < today);
      if (expired.length === 0) continue;
      const lots = new Set(expired.flatMap((position) => (position.lot === undefined ? [] : [position.lot])));
      const takes = book.planTake(sku, Number.MAX_SAFE_INTEGER, { from: [layout.quarantine], lots, step: article.step, serialTracked: false });
      const lines = takes.map(({ location, quantity, ...take }) => ({ sku, location, delta: -quantity, ...take }));
      if (lines.length > 0) await runner.record({ kind: 'adjustment', request: { reason: 'expired', note: `Disposed of on ${today}`, lines } }, at, `disposal-${today}`);
    }
  }

  /** What sits in other bins moves back to an article's home bin when there is room again. */
  private async moveToHomeBins(at: number): Promise<void> {
    const { random, runner, book, articles } = this.simulation;
    await runner.settle();
    const spread = articles.filter((article) => book.otherLocations(article.details.sku, [article.homeBin]).some((location) => this.bins.has(location)));
    for (const article of random.shuffle(spread).slice(0, random.int(1, 3))) {
      const { sku, tracking } = article.details;
      const from = book.otherLocations(sku, [article.homeBin]).filter((location) => this.bins.has(location));
      const takes = book.planTake(sku, Number.MAX_SAFE_INTEGER, { from, withinWarehouse: true, step: article.step, serialTracked: tracking === 'serial' });
      const lines = takes.map(({ location, ...take }) => ({ sku, from: location, to: article.homeBin, ...take }));
      if (lines.length > 0) await runner.record({ kind: 'transfer', request: { lines } }, at, `replenish-${sku}-${at}`);
    }
  }

  /** Reverses a recent receipt, shipment, adjustment or put-away that can still be undone; a reversed put-away is put away again. */
  private async reverseMistake(at: number): Promise<void> {
    const { random, runner, layout } = this.simulation;
    await runner.settle();
    const candidates = runner.recorded.filter((movement) => movement.at >= at - 3 * day && !movement.reversed && this.reversible(movement));
    const chosen = random.shuffle(candidates).find((movement) => this.canUndo(movement));
    if (!chosen) return;
    chosen.reversed = true;
    const skus = chosen.lines.map((line) => line.sku);
    await runner.record({ kind: 'reversal', movementId: chosen.movementId, reason: reversalReasons[chosen.kind] ?? 'Booked in error', skus }, at, `reversal-${chosen.movementId}`);
    if (chosen.kind === 'transferred') {
      const dock = chosen.lines[0]?.from ?? layout.receiving[0] ?? '';
      const putAwayArticles = skus.map((sku) => this.simulation.article(sku));
      this.simulation.agenda.schedule(later(random, at, 0.25, 1), async (putAwayAt) => await this.purchasing.putAway(putAwayAt, chosen.reference, dock, putAwayArticles));
    }
  }

  /** Receipts, shipments, adjustments and put-aways, with one line per article (so each line can be checked alone). */
  private reversible(movement: RecordedMovement): boolean {
    if (!(movement.kind in reversalReasons) || movement.movementId === '') return false;
    const skus = movement.lines.map((line) => line.sku);
    if (new Set(skus).size !== skus.length) return false;
    return movement.kind !== 'transferred' || movement.lines.every((line) => line.from !== undefined && this.simulation.layout.receiving.includes(line.from));
  }

  /** Whether every line's stock (and serials) is still where the movement put it, and free to take back. */
  private canUndo(movement: RecordedMovement): boolean {
    const { book } = this.simulation;
    return movement.lines.every(({ sku, to, lot, quantity, serials }) => {
      if (to === undefined) return false;
      if (serials && serials.some((serial) => book.whereIs(sku, serial) !== to)) return false;
      if (isVirtualLocation(to)) return true;
      const takes = book.planTake(sku, quantity, { from: [to], ...(lot === undefined ? {} : { lots: new Set([lot]) }), step: 1, serialTracked: false });
      return takes.reduce((sum, take) => sum + take.quantity, 0) >= quantity;
    });
  }
}
