import { describe, expect, it } from '@jest/globals';
import { eventDataSchemas, type EventMetadata } from '../../../src/events/schemas.js';
import { ChangeSet, readModels } from '../../../src/projections/change-set.js';
import { balances, type BalanceChanges } from '../../../src/projections/read-models/balances.js';
import { catalog, type CatalogChanges } from '../../../src/projections/read-models/catalog.js';
import { history, type HistoryChanges } from '../../../src/projections/read-models/history.js';
import { lastCounts, type LastCountChanges } from '../../../src/projections/read-models/last-counts.js';
import { ledger } from '../../../src/projections/read-models/ledger.js';
import type { LedgerRow } from '../../../src/projections/write-ledger.js';
import { locations, type LocationChanges } from '../../../src/projections/read-models/locations.js';
import { handledEvents, type EventHandlers, type ProjectionEvent } from '../../../src/projections/read-models/read-model.js';
import { reservations, type ReservationChanges } from '../../../src/projections/read-models/reservations.js';
import { serials, type SerialChanges } from '../../../src/projections/read-models/serials.js';
import { occurredAt, recordedAt } from './projection-spec.js';

/**
 * The compile-time half of this file (checked by `npm run typecheck`, not by jest): the event
 * union widened with a made-up type, as if a schema had been added to eventDataSchemas. No read
 * model's handler map fits it, so each assignment below is an error, which `@ts-expect-error`
 * requires; were a handler map ever loose enough to accept a missing type (a Partial, an index
 * signature, a default case), the directive would be unused and typecheck would fail instead.
 */
type StockRelabelled = {
  readonly id: string;
  readonly position: string;
  readonly type: 'StockRelabelled';
  readonly data: { readonly sku: string; readonly label: string };
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
};
type WithANewType = ProjectionEvent | StockRelabelled;

// The handler maps fit the union as it is...
export const asTheyAre: readonly unknown[] = [
  balances.evolve satisfies EventHandlers<BalanceChanges>,
  reservations.evolve satisfies EventHandlers<ReservationChanges>,
  serials.evolve satisfies EventHandlers<SerialChanges>,
  history.evolve satisfies EventHandlers<HistoryChanges>,
  ledger.evolve satisfies EventHandlers<LedgerRow[]>,
  catalog.evolve satisfies EventHandlers<CatalogChanges>,
  locations.evolve satisfies EventHandlers<LocationChanges>,
  lastCounts.evolve satisfies EventHandlers<LastCountChanges>,
];
// ...and none fits it with a type added.
// @ts-expect-error StockRelabelled has no case in balances
export const balancesWithANewType: EventHandlers<BalanceChanges, WithANewType> = balances.evolve;
// @ts-expect-error StockRelabelled has no case in reservations
export const reservationsWithANewType: EventHandlers<ReservationChanges, WithANewType> = reservations.evolve;
// @ts-expect-error StockRelabelled has no case in serials
export const serialsWithANewType: EventHandlers<SerialChanges, WithANewType> = serials.evolve;
// @ts-expect-error StockRelabelled has no case in history
export const historyWithANewType: EventHandlers<HistoryChanges, WithANewType> = history.evolve;
// @ts-expect-error StockRelabelled has no case in the ledger
export const ledgerWithANewType: EventHandlers<LedgerRow[], WithANewType> = ledger.evolve;
// @ts-expect-error StockRelabelled has no case in the catalog
export const catalogWithANewType: EventHandlers<CatalogChanges, WithANewType> = catalog.evolve;
// @ts-expect-error StockRelabelled has no case in locations
export const locationsWithANewType: EventHandlers<LocationChanges, WithANewType> = locations.evolve;
// @ts-expect-error StockRelabelled has no case in last counts
export const lastCountsWithANewType: EventHandlers<LastCountChanges, WithANewType> = lastCounts.evolve;

describe('read models', () => {
  it('each decides, for every event type there is, to handle it or to ignore it', () => {
    const eventTypes = Object.keys(eventDataSchemas).sort();
    for (const model of readModels) expect({ model: model.name, types: Object.keys(model.evolve).sort() }).toEqual({ model: model.name, types: eventTypes });
  });

  it('declare the events they handle: user administration and the movement and reservation records are ignored by all', () => {
    const handled = Object.fromEntries(readModels.map((model) => [model.name, handledEvents(model).sort()]));
    const stockMoves = ['StockAdjusted', 'StockCounted', 'StockMovementReversed', 'StockReceived', 'StockReturned', 'StockShipped', 'StockTransferred'];
    expect(handled).toEqual({
      catalog: ['ArticleArchived', 'ArticleRegistered', 'ArticleUpdated'],
      locations: ['LocationBlocked', 'LocationCreated', 'LocationUnblocked'],
      balances: stockMoves,
      reservations: ['StockReservationReleased', 'StockReserved', 'StockShipped'],
      serials: stockMoves,
      history: stockMoves,
      ledger: stockMoves,
      'last-counts': ['StockCounted'],
    });
    expect(readModels.flatMap((model) => model.tables).sort()).toEqual(['articles', 'balances', 'last_counts', 'ledger', 'locations', 'lots', 'reservations', 'serials', 'stock_daily']);
  });

  it('stop at an event of a type none of them knows instead of skipping it', () => {
    const changes = new ChangeSet();
    const unknown = { id: 'e-1', position: '1', type: 'StockRelabelled', data: { sku: 'BOLT' }, metadata: { tenant: 'isd', user: 'alice', source: 'api' as const, correlationId: 'c', occurredAt, schemaVersion: 1 }, recordedAt };
    let thrown: unknown;
    try {
      changes.add(unknown);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'unknown-event-type', eventId: 'e-1', type: 'StockRelabelled' });
    expect(changes.events).toBe(0);
  });
});
