import { assertNever, type Decider } from '../decider.js';
import { InvalidMovement, MovementNotReversible, UnknownMovement } from '../errors.js';
import type { Quantity } from '../quantity.js';

/** What a movement did, in the words of the ledger. */
export type MovementKind = 'received' | 'transferred' | 'reserved' | 'reservation-released' | 'shipped' | 'returned' | 'adjusted' | 'counted' | 'reversed';

/** One line of a movement as recorded: which article went from where to where. */
export interface MovementLine {
  readonly line: number;
  readonly sku: string;
  readonly from?: string;
  readonly to?: string;
  readonly quantity: Quantity;
  readonly lot?: string;
  readonly serials?: readonly string[];
}

/** The facts of a movement, kept in its own stream (`movement-<id>`) so it can be found, audited and reversed once. */
export interface MovementRecord {
  readonly movementId: string;
  readonly kind: MovementKind;
  readonly reference?: string;
  readonly lines: readonly MovementLine[];
  /** Set on a reversal: the movement it reverses. */
  readonly reversalOf?: string;
}

export type MovementCommand =
  | { readonly type: 'RecordMovement'; readonly data: MovementRecord }
  | { readonly type: 'ReverseMovement'; readonly data: { readonly movementId: string; readonly reversedBy: string } };

export type MovementEvent =
  | { readonly type: 'MovementRecorded'; readonly data: MovementRecord }
  | { readonly type: 'MovementReversed'; readonly data: { readonly movementId: string; readonly reversedBy: string } };

export type MovementState =
  | { readonly status: 'none' }
  | { readonly status: 'recorded'; readonly record: MovementRecord; readonly reversedBy?: string };

/** Kinds that are not stock moves: a reservation is released, not reversed. */
const notReversible: ReadonlySet<MovementKind> = new Set(['reserved', 'reservation-released']);

function reversal(command: Extract<MovementCommand, { type: 'ReverseMovement' }>, state: MovementState): MovementEvent[] {
  const { movementId, reversedBy } = command.data;
  if (state.status === 'none') throw new UnknownMovement(movementId);
  if (state.reversedBy !== undefined) throw new MovementNotReversible(movementId, `it was already reversed by ${state.reversedBy}`);
  if (notReversible.has(state.record.kind)) throw new MovementNotReversible(movementId, 'a reservation is released, not reversed');
  if (state.record.kind === 'reversed') throw new MovementNotReversible(movementId, 'a reversal cannot itself be reversed; record a new movement');
  return [{ type: 'MovementReversed', data: { movementId, reversedBy } }];
}

/** The movement decider: a movement is recorded once and reversed at most once. */
export const movementDecider: Decider<MovementCommand, MovementEvent, MovementState> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'RecordMovement':
        if (state.status !== 'none') throw new InvalidMovement(`movement ${command.data.movementId} is already recorded`);
        return [{ type: 'MovementRecorded', data: command.data }];
      case 'ReverseMovement':
        return reversal(command, state);
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'MovementRecorded':
        return { status: 'recorded', record: event.data };
      case 'MovementReversed':
        return state.status === 'none' ? state : { ...state, reversedBy: event.data.reversedBy };
      default:
        return assertNever(event);
    }
  },
};
