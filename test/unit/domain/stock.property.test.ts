import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Tracking } from '../../../src/domain/article/article.js';
import { DomainError } from '../../../src/domain/errors.js';
import { isVirtualLocation } from '../../../src/domain/locations.js';
import type { RecordedLine, StockCommand } from '../../../src/domain/stock/commands.js';
import { decideStock } from '../../../src/domain/stock/decide.js';
import { movesOf, type StockEvent } from '../../../src/domain/stock/events.js';
import { onHandAt, reservedAt, splitBalanceKey, sumOverAllLocations, totalOnHand, totalReserved, type StockState } from '../../../src/domain/stock/state.js';
import { stockDecider } from '../../../src/domain/stock/stock.js';
import { command, context, stateAfter } from './stock-fixtures.js';

/** The small warehouse of the property: three bins (A-02 sometimes blocked), two lots, eight serials. */
const bins = ['RECV', 'A-01', 'A-02'] as const;
const serialPool = ['SN1', 'SN2', 'SN3', 'SN4', 'SN5', 'SN6', 'SN7', 'SN8'];

const lineSpec = fc.record({
  a: fc.constantFrom(...bins),
  /** The destination of a transfer: the next bin or the one after. */
  b: fc.constantFrom(1, 2),
  amount: fc.integer({ min: 0, max: 16 }).map((n) => n * 250),
  lot: fc.constantFrom('L1', 'L2'),
  /** Whether a receipt states the lot's expiry (L1 expired on 10 June, L2 expires at the end of the year). */
  statesExpiry: fc.boolean(),
  fromState: fc.integer({ min: 0, max: 3 }).map((n) => n > 0),
  picks: fc.array(fc.nat(20), { minLength: 1, maxLength: 3 }),
  found: fc.boolean(),
});
type LineSpec = typeof lineSpec extends fc.Arbitrary<infer T> ? T : never;

const kind = fc.oneof(
  { arbitrary: fc.constant('receive' as const), weight: 4 },
  { arbitrary: fc.constant('transfer' as const), weight: 3 },
  { arbitrary: fc.constant('reserve' as const), weight: 2 },
  { arbitrary: fc.constant('release' as const), weight: 1 },
  { arbitrary: fc.constant('ship' as const), weight: 3 },
  { arbitrary: fc.constant('return' as const), weight: 1 },
  { arbitrary: fc.constant('adjust' as const), weight: 2 },
  { arbitrary: fc.constant('count' as const), weight: 2 },
  { arbitrary: fc.constant('reverse' as const), weight: 2 },
);
const step = fc.record({
  kind,
  lines: fc.array(lineSpec, { minLength: 1, maxLength: 2 }),
  reference: fc.constantFrom(undefined, 'SO-1', 'SO-2'),
  atLocation: fc.boolean(),
  allowExpired: fc.boolean(),
  blocked: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  pick: fc.nat(50),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

/** A movement accepted so far that moved stock: what a reversal would take back. */
interface Recorded {
  readonly movementId: string;
  readonly lines: RecordedLine[];
  reversed: boolean;
}

/** Serials for a line: random ones from the pool, or ones that are where the line needs them. */
function serialsFor(spec: LineSpec, state: StockState, wanted: (where: string | undefined) => boolean): string[] {
  const candidates = spec.fromState ? serialPool.filter((serial) => wanted(state.serials.get(serial))) : serialPool;
  const from = candidates.length > 0 ? candidates : serialPool;
  const picked = spec.picks.map((index) => from[index % from.length] ?? 'SN1');
  return spec.fromState ? [...new Set(picked)] : picked;
}

/** Turns a generated step into a stock command in the current state (undefined: nothing to do). */
function commandOf(step: Step, tracking: Tracking, state: StockState, recorded: readonly Recorded[], movementId: string): StockCommand | undefined {
  const facts = context({ tracking, blocked: step.blocked ? ['A-02'] : [], occurredAt: '2025-06-15T12:00:00Z', ...(tracking === 'lot' ? { shelfLifeDays: 3 } : {}) });
  const serial = tracking === 'serial';
  const lot = (spec: LineSpec) => (tracking === 'lot' ? { lot: spec.lot } : {});
  const moved = (spec: LineSpec, wanted: (where: string | undefined) => boolean, incoming = false) => {
    if (!serial) return { quantity: incoming ? spec.amount * 2 + 1000 : Math.max(spec.amount, 250) };
    const serials = serialsFor(spec, state, wanted);
    return { quantity: serials.length * 1000, serials };
  };
  const at = (location: string) => (where: string | undefined) => where === location;
  const lines = step.lines.map((spec, line) => ({ spec, line }));
  const reference = step.reference === undefined ? {} : { reference: step.reference };
  const expiry = (spec: LineSpec) => (tracking === 'lot' && spec.statesExpiry ? { expiresOn: spec.lot === 'L1' ? '2025-06-10' : '2025-12-31' } : {});
  const nextBin = (spec: LineSpec) => bins[(bins.indexOf(spec.a) + spec.b) % bins.length] ?? 'RECV';
  const notInStock = (where: string | undefined) => where === undefined || where === '@supplier';
  const lostOrUnknown = (where: string | undefined) => where === undefined || where === '@loss';
  switch (step.kind) {
    case 'receive':
      return command('ReceiveStock', { movementId, lines: lines.map(({ spec, line }) => ({ line, location: spec.a, ...lot(spec), ...expiry(spec), ...moved(spec, notInStock, true) })) }, facts);
    case 'transfer':
      return command('TransferStock', { movementId, lines: lines.map(({ spec, line }) => ({ line, from: spec.a, to: nextBin(spec), ...lot(spec), ...moved(spec, at(spec.a)) })) }, facts);
    case 'reserve': {
      const quantity = (spec: LineSpec) => (serial ? Math.max(1, Math.round(spec.amount / 1000)) * 1000 : Math.max(spec.amount, 250));
      const reserveLines = lines.map(({ spec, line }) => ({ line, quantity: quantity(spec), ...(step.atLocation ? { location: spec.a } : {}) }));
      return command('ReserveStock', { movementId, reference: step.reference ?? 'SO-1', lines: reserveLines }, facts);
    }
    case 'release':
      return command('ReleaseReservedStock', { movementId, reference: step.reference ?? 'SO-1' }, facts);
    case 'ship': {
      const expired = step.allowExpired ? { allowExpired: true } : {};
      return command('ShipStock', { movementId, ...reference, lines: lines.map(({ spec, line }) => ({ line, from: spec.a, ...lot(spec), ...moved(spec, at(spec.a)), ...expired })) }, facts);
    }
    case 'return':
      return command('ReturnStock', { movementId, reason: 'unwanted', lines: lines.map(({ spec, line }) => ({ line, to: spec.a, ...lot(spec), ...moved(spec, at('@customer')) })) }, facts);
    case 'adjust': {
      const adjustLines = lines.map(({ spec, line }) => {
        const { quantity, ...rest } = moved(spec, spec.found ? lostOrUnknown : at(spec.a));
        return { line, location: spec.a, delta: spec.found ? quantity : -quantity, ...lot(spec), ...rest };
      });
      return command('AdjustStock', { movementId, reason: 'correction', lines: adjustLines }, facts);
    }
    case 'count': {
      const location = step.lines[0]?.a ?? 'A-01';
      const countable = (where: string | undefined) => where === location || where === undefined || isVirtualLocation(where);
      const countLines = lines.map(({ spec, line }) => {
        if (!serial) return { line, counted: spec.amount, ...lot(spec) };
        const serials = spec.amount === 0 ? [] : serialsFor(spec, state, countable);
        return { line, counted: serials.length * 1000, serials };
      });
      return command('CountStock', { movementId, location, lines: countLines }, facts);
    }
    case 'reverse': {
      const open = recorded.filter((movement) => !movement.reversed);
      const target = open[step.pick % Math.max(open.length, 1)];
      if (!target) return undefined;
      return command('ReverseStockMovement', { movementId, reversedMovementId: target.movementId, reason: 'mistake', lines: target.lines }, facts);
    }
  }
}

/** The parts of a state, in an order that does not depend on how it was built. */
function snapshot(state: StockState) {
  const byKey = <T>(entries: Iterable<[string, T]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    onHand: byKey(state.onHand),
    reservations: byKey(state.reservations).map(([reference, parts]) => [reference, byKey(parts)]),
    serials: byKey(state.serials.entries()),
    lots: byKey(state.lots.entries()),
  };
}

function checkInvariants(state: StockState, tracking: Tracking): void {
  for (const [key, quantity] of state.onHand) {
    if (!isVirtualLocation(splitBalanceKey(key).location)) expect({ key, quantity: Math.min(quantity, 0) }).toEqual({ key, quantity: 0 });
  }
  for (const location of bins) {
    expect(reservedAt(state, location)).toBeLessThanOrEqual(onHandAt(state, location));
    if (tracking === 'serial') {
      const serialsThere = [...state.serials.entries()].filter(([, where]) => where === location).length;
      expect({ location, units: serialsThere * 1000 }).toEqual({ location, units: onHandAt(state, location) });
    }
  }
  expect(totalReserved(state)).toBeLessThanOrEqual(totalOnHand(state));
  for (const parts of state.reservations.values()) for (const quantity of parts.values()) expect(quantity).toBeGreaterThan(0);
  expect(sumOverAllLocations(state)).toBe(0);
  const serials = [...state.serials.entries()].map(([serial]) => serial);
  expect(new Set(serials).size).toBe(serials.length);
  if (tracking !== 'serial') expect(serials).toEqual([]);
}

/** Plays the steps, folding the events of every accepted command; refusals change nothing. */
function play(tracking: Tracking, steps: readonly Step[]): { state: StockState; history: StockEvent[]; accepted: number } {
  const state = stockDecider.initialState();
  const history: StockEvent[] = [];
  const recorded: Recorded[] = [];
  let accepted = 0;
  steps.forEach((generated, index) => {
    const movementId = `mv-${index}`;
    const stockCommand = commandOf(generated, tracking, state, recorded, movementId);
    if (!stockCommand) return;
    const before = snapshot(state);
    let events: StockEvent[];
    try {
      events = decideStock(stockCommand, state);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect(snapshot(state)).toEqual(before);
      return;
    }
    expect(snapshot(state)).toEqual(before);
    for (const event of events) {
      if (event.type === 'StockReceived') for (const serial of event.data.serials ?? []) expect(['absent', '@supplier']).toContain(state.serials.get(serial) ?? 'absent');
      stockDecider.evolve(state, event);
      history.push(event);
    }
    if (events.length > 0) accepted += 1;
    checkInvariants(state, tracking);
    if (stockCommand.type === 'ReverseStockMovement') {
      const target = recorded.find((movement) => movement.movementId === stockCommand.data.reversedMovementId);
      if (target) target.reversed = true;
    } else if (stockCommand.type !== 'ReserveStock' && stockCommand.type !== 'ReleaseReservedStock') {
      const lines = events.flatMap((event) => movesOf(event).map((move) => ({ line: event.data.line, ...move })));
      if (lines.length > 0) recorded.push({ movementId, lines, reversed: false });
    }
  });
  return { state, history, accepted };
}

describe('the stock of an article under random movements', () => {
  it.each(['none', 'lot', 'serial'] as const)('keeps every invariant with tracking %s', (tracking) => {
    let accepted = 0;
    let steps = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40, size: 'max' }), (generated) => {
        const played = play(tracking, generated);
        accepted += played.accepted;
        steps += generated.length;
        expect(snapshot(stateAfter(played.history))).toEqual(snapshot(played.state));
      }),
      { numRuns: 200 },
    );
    // The property means something only if a fair share of the generated movements is accepted.
    expect(accepted / steps).toBeGreaterThan(0.2);
  });
});
