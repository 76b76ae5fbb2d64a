import { textArray } from '../array-literal.js';
import { isVirtualLocation } from '../../domain/locations.js';
import { memoryTable, type ReadModel } from './read-model.js';
import { movesOfEvent, notStock, onEveryMove, type MovingEvent } from './stock-events.js';
import { addDelta, applyTotalsInMemory, writeTotals, type TotalDelta, type TotalsTable } from './totals.js';

/** A batch's changes to balances: on-hand deltas per (article, location, lot), and the expiry of lots first received. */
export interface BalanceChanges {
  readonly balances: Map<string, TotalDelta>;
  readonly lots: Map<string, { readonly sku: string; readonly lot: string; readonly expiresOn: string | null }>;
}

const balancesTable: TotalsTable = { table: 'balances', keys: ['sku', 'location', 'lot'], lastKeyType: 'text', total: 'on_hand' };

function move(changes: BalanceChanges, event: MovingEvent): void {
  const { sku } = event.data;
  for (const { from, to, quantity, lot = '' } of movesOfEvent(event)) {
    // Virtual locations are kept per location only, like in the stock state.
    addDelta(changes.balances, sku, from, isVirtualLocation(from) ? '' : lot, -quantity);
    addDelta(changes.balances, sku, to, isVirtualLocation(to) ? '' : lot, quantity);
  }
}

/**
 * Balances: on hand per article, location and lot, virtual locations included (so an article's
 * rows sum to zero); rows back at zero disappear. Lots: the expiry given at a lot's first receipt.
 */
export const balances: ReadModel<BalanceChanges> = {
  name: 'balances',
  tables: ['balances', 'lots'],
  changes: () => ({ balances: new Map(), lots: new Map() }),
  evolve: {
    ...notStock,
    ...onEveryMove(move),
    StockReceived: (changes, event) => {
      const { sku, lot, expiresOn } = event.data;
      const lotKey = `${sku}\u0000${lot}`;
      if (lot !== undefined && !changes.lots.has(lotKey)) changes.lots.set(lotKey, { sku, lot, expiresOn: expiresOn ?? null });
      move(changes, event);
    },
  },
  async write(t, s, changes) {
    await writeTotals(t, s, balancesTable, changes.balances.values());
    const lots = [...changes.lots.values()];
    if (lots.length === 0) return;
    await t.none({
      text: `insert into ${s}.lots (sku, lot, expires_on) select * from unnest($1::text[], $2::text[], $3::date[]) on conflict (sku, lot) do nothing`,
      values: [textArray(lots.map((r) => r.sku)), textArray(lots.map((r) => r.lot)), textArray(lots.map((r) => r.expiresOn))],
    });
  },
  applyInMemory(tables, changes) {
    applyTotalsInMemory(tables, balancesTable, changes.balances.values());
    const lots = memoryTable(tables, 'lots');
    for (const { sku, lot, expiresOn } of changes.lots.values()) {
      const id = `${sku}\u0000${lot}`;
      if (!lots.has(id)) lots.set(id, { sku, lot, expires_on: expiresOn });
    }
  },
};
