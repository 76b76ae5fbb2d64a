import { describe, expect, it } from '@jest/globals';
import { fold } from '../../../src/domain/decider.js';
import { InvalidMovement, MovementNotReversible, UnknownMovement } from '../../../src/domain/errors.js';
import { movementDecider, type MovementEvent, type MovementRecord } from '../../../src/domain/movement/movement.js';
import { spec } from './given-when-then.js';

const movement = spec(movementDecider);

const receipt: MovementRecord = {
  movementId: 'mv-1',
  kind: 'received',
  reference: 'PO-1001',
  lines: [{ line: 0, sku: 'BOLT-M8', from: '@supplier', to: 'RECV', quantity: 5000 }],
};
const recorded = (record: MovementRecord): MovementEvent => ({ type: 'MovementRecorded', data: record });
const reversedBy = (id: string): MovementEvent => ({ type: 'MovementReversed', data: { movementId: 'mv-1', reversedBy: id } });

describe('RecordMovement', () => {
  it('records a movement with its lines', () => {
    movement.given([]).when({ type: 'RecordMovement', data: receipt }).then([recorded(receipt)]);
  });

  it('refuses to record the same movement twice', () => {
    const error = movement.given([recorded(receipt)]).when({ type: 'RecordMovement', data: receipt }).thenThrows(InvalidMovement);
    expect(error.message).toMatch(/mv-1 is already recorded/);
  });
});

describe('ReverseMovement', () => {
  it('reverses a recorded receipt once', () => {
    movement.given([recorded(receipt)]).when({ type: 'ReverseMovement', data: { movementId: 'mv-1', reversedBy: 'mv-2' } }).then([reversedBy('mv-2')]);
    expect(fold(movementDecider, [recorded(receipt), reversedBy('mv-2')])).toEqual({ status: 'recorded', record: receipt, reversedBy: 'mv-2' });
  });

  it.each(['transferred', 'shipped', 'returned', 'adjusted', 'counted'] as const)('reverses a movement of kind %s', (kind) => {
    movement
      .given([recorded({ ...receipt, kind })])
      .when({ type: 'ReverseMovement', data: { movementId: 'mv-1', reversedBy: 'mv-2' } })
      .then([reversedBy('mv-2')]);
  });

  it('refuses a second reversal, naming the first', () => {
    const error = movement
      .given([recorded(receipt), reversedBy('mv-2')])
      .when({ type: 'ReverseMovement', data: { movementId: 'mv-1', reversedBy: 'mv-3' } })
      .thenThrows(MovementNotReversible, { movementId: 'mv-1' });
    expect(error.message).toMatch(/already reversed by mv-2/);
  });

  it.each(['reserved', 'reservation-released'] as const)('refuses to reverse a reservation movement (%s): it is released instead', (kind) => {
    const error = movement
      .given([recorded({ ...receipt, kind, lines: [{ line: 0, sku: 'BOLT-M8', quantity: 5000 }] })])
      .when({ type: 'ReverseMovement', data: { movementId: 'mv-1', reversedBy: 'mv-2' } })
      .thenThrows(MovementNotReversible, { movementId: 'mv-1' });
    expect(error.message).toMatch(/released, not reversed/);
  });

  it('refuses to reverse a reversal', () => {
    const reversal: MovementRecord = { ...receipt, kind: 'reversed', reversalOf: 'mv-0' };
    const error = movement
      .given([recorded(reversal)])
      .when({ type: 'ReverseMovement', data: { movementId: 'mv-1', reversedBy: 'mv-2' } })
      .thenThrows(MovementNotReversible, { movementId: 'mv-1' });
    expect(error.message).toMatch(/reversal cannot itself be reversed/);
  });

  it('refuses an unknown movement', () => {
    movement.given([]).when({ type: 'ReverseMovement', data: { movementId: 'mv-404', reversedBy: 'mv-2' } }).thenThrows(UnknownMovement, { movementId: 'mv-404' });
  });
});
