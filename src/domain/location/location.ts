import { assertNever, type Decider } from '../decider.js';
import { DuplicateLocation, InvalidParentLocation, UnknownLocation } from '../errors.js';

/** What a location is for. */
export type LocationType = 'warehouse' | 'storage' | 'receiving' | 'shipping' | 'returns' | 'quarantine';

/** A real place in a warehouse: a warehouse at the top, zones and bins below it. */
export interface LocationDetails {
  readonly code: string;
  readonly name?: string;
  readonly parent?: string;
  readonly type: LocationType;
}

/** What the handler knows of the parent a new location names (looked up from its stream). */
export interface ParentFacts {
  readonly exists: boolean;
}

export type LocationCommand =
  | { readonly type: 'CreateLocation'; readonly data: LocationDetails & { readonly parentFacts?: ParentFacts } }
  | { readonly type: 'BlockLocation'; readonly data: { readonly code: string; readonly reason?: string } }
  | { readonly type: 'UnblockLocation'; readonly data: { readonly code: string } };

export type LocationEvent =
  | { readonly type: 'LocationCreated'; readonly data: LocationDetails }
  | { readonly type: 'LocationBlocked'; readonly data: { readonly code: string; readonly reason?: string } }
  | { readonly type: 'LocationUnblocked'; readonly data: { readonly code: string } };

export type LocationState =
  | { readonly status: 'none' }
  | { readonly status: 'open' | 'blocked'; readonly details: LocationDetails };

function create(command: Extract<LocationCommand, { type: 'CreateLocation' }>, state: LocationState): LocationEvent[] {
  const { parentFacts, ...details } = command.data;
  if (state.status !== 'none') throw new DuplicateLocation(details.code);
  if (details.type === 'warehouse' && details.parent !== undefined) throw new InvalidParentLocation('a warehouse has no parent');
  if (details.parent !== undefined) {
    if (details.parent === details.code) throw new InvalidParentLocation('a location cannot be its own parent');
    if (!parentFacts?.exists) throw new InvalidParentLocation(`parent location ${details.parent} does not exist`);
  }
  return [{ type: 'LocationCreated', data: details }];
}

function block(command: Extract<LocationCommand, { type: 'BlockLocation' }>, state: LocationState): LocationEvent[] {
  if (state.status === 'none') throw new UnknownLocation(command.data.code);
  if (state.status === 'blocked') return [];
  return [{ type: 'LocationBlocked', data: command.data }];
}

function unblock(command: Extract<LocationCommand, { type: 'UnblockLocation' }>, state: LocationState): LocationEvent[] {
  if (state.status === 'none') throw new UnknownLocation(command.data.code);
  if (state.status === 'open') return [];
  return [{ type: 'LocationUnblocked', data: command.data }];
}

/** The location decider: creation in the warehouse tree, blocking and unblocking. */
export const locationDecider: Decider<LocationCommand, LocationEvent, LocationState> = {
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'CreateLocation':
        return create(command, state);
      case 'BlockLocation':
        return block(command, state);
      case 'UnblockLocation':
        return unblock(command, state);
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'LocationCreated':
        return { status: 'open', details: event.data };
      case 'LocationBlocked':
        return state.status === 'none' ? state : { status: 'blocked', details: state.details };
      case 'LocationUnblocked':
        return state.status === 'none' ? state : { status: 'open', details: state.details };
      default:
        return assertNever(event);
    }
  },
};
