import { expect } from '@jest/globals';
import { fold, type Decider } from '../../../src/domain/decider.js';
import * as errors from '../../../src/domain/errors.js';

/** A class of expected refusal, as thrown by a decider. */
type RefusalClass = abstract new (...args: never[]) => errors.DomainError;

/** The stable codes of API.md, by refusal: a spec that names a refusal also pins its code. */
const stableCodes = new Map<RefusalClass, string>([
  [errors.InsufficientStock, 'insufficient-stock'],
  [errors.UnknownArticle, 'unknown-article'],
  [errors.DuplicateSku, 'duplicate-sku'],
  [errors.ArticleArchived, 'article-archived'],
  [errors.UnknownLocation, 'unknown-location'],
  [errors.DuplicateLocation, 'duplicate-location'],
  [errors.InvalidParentLocation, 'invalid-parent'],
  [errors.LocationBlocked, 'location-blocked'],
  [errors.VirtualLocationNotAllowed, 'virtual-location'],
  [errors.LotRequired, 'lot-required'],
  [errors.LotNotTracked, 'lot-not-tracked'],
  [errors.LotExpiryMismatch, 'lot-expiry-mismatch'],
  [errors.LotExpired, 'lot-expired'],
  [errors.SerialsMismatch, 'serials-mismatch'],
  [errors.DuplicateSerial, 'duplicate-serial'],
  [errors.SerialNotAtLocation, 'serial-not-at-location'],
  [errors.InvalidQuantity, 'invalid-quantity'],
  [errors.UnknownReservation, 'unknown-reservation'],
  [errors.UnknownMovement, 'unknown-movement'],
  [errors.MovementNotReversible, 'not-reversible'],
  [errors.InvalidMovement, 'invalid-movement'],
]);

/**
 * Given/when/then for a decider (after emmett's DeciderSpecification):
 * `spec(decider).given(events).when(command).then(expectedEvents)` or
 * `.thenThrows(RefusalClass, { line: 0, available: 2 })`.
 * The given events are folded from `decider.initialState()`; every specification also checks that
 * decide left the state it was given as it found it.
 */
export function spec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(history: readonly Event[]) {
      return {
        when(command: Command) {
          const decide = (): readonly Event[] => {
            const state = fold(decider, history);
            try {
              return decider.decide(command, state);
            } finally {
              expect(state).toEqual(fold(decider, history));
            }
          };
          return {
            /** The command is accepted with exactly these events; returns them. */
            then(expected: readonly Event[]): readonly Event[] {
              const events = decide();
              expect(events).toEqual(expected);
              return events;
            },
            /** The command is refused with this refusal, its stable code and (some of) its fields. */
            thenThrows(refusal: RefusalClass, fields: Readonly<Record<string, unknown>> = {}): errors.DomainError {
              let thrown: unknown;
              try {
                decide();
              } catch (error) {
                thrown = error;
              }
              expect(thrown).toBeInstanceOf(refusal);
              const error = thrown as errors.DomainError & Record<string, unknown>;
              expect(stableCodes.has(refusal)).toBe(true);
              expect(error.code).toBe(stableCodes.get(refusal));
              expect(Object.fromEntries(Object.keys(fields).map((key) => [key, error[key]]))).toEqual(fields);
              return error;
            },
          };
        },
      };
    },
  };
}
