import { describe, expect, it } from '@jest/globals';
import { fold } from '../../../src/domain/decider.js';
import { DuplicateLocation, InvalidParentLocation, UnknownLocation } from '../../../src/domain/errors.js';
import { locationDecider, type LocationEvent } from '../../../src/domain/location/location.js';
import { spec } from './given-when-then.js';

const location = spec(locationDecider);

const bin: LocationEvent = { type: 'LocationCreated', data: { code: 'A-01-02', name: 'Aisle A, rack 1, level 2', parent: 'A', type: 'storage' } };
const blocked: LocationEvent = { type: 'LocationBlocked', data: { code: 'A-01-02', reason: 'count' } };
const unblocked: LocationEvent = { type: 'LocationUnblocked', data: { code: 'A-01-02' } };

describe('CreateLocation', () => {
  it('creates a warehouse without a parent', () => {
    location
      .given([])
      .when({ type: 'CreateLocation', data: { code: 'WH1', name: 'Main warehouse', type: 'warehouse' } })
      .then([{ type: 'LocationCreated', data: { code: 'WH1', name: 'Main warehouse', type: 'warehouse' } }]);
  });

  it('refuses a warehouse with a parent', () => {
    const error = location
      .given([])
      .when({ type: 'CreateLocation', data: { code: 'WH2', parent: 'WH1', type: 'warehouse', parentFacts: { exists: true } } })
      .thenThrows(InvalidParentLocation, { field: 'parent' });
    expect(error.message).toMatch(/warehouse has no parent/);
  });

  it('creates a bin under an existing parent, without recording the parent facts', () => {
    location
      .given([])
      .when({ type: 'CreateLocation', data: { code: 'A-01-02', name: 'Aisle A, rack 1, level 2', parent: 'A', type: 'storage', parentFacts: { exists: true } } })
      .then([bin]);
  });

  it('creates a zone without a parent (only warehouses must have none)', () => {
    location.given([]).when({ type: 'CreateLocation', data: { code: 'DOCK', type: 'receiving' } }).then([{ type: 'LocationCreated', data: { code: 'DOCK', type: 'receiving' } }]);
  });

  it('refuses a parent that does not exist', () => {
    const error = location
      .given([])
      .when({ type: 'CreateLocation', data: { code: 'A-01-02', parent: 'A', type: 'storage', parentFacts: { exists: false } } })
      .thenThrows(InvalidParentLocation, { field: 'parent' });
    expect(error.message).toMatch(/parent location A does not exist/);
  });

  it('refuses a parent the handler did not look up', () => {
    location.given([]).when({ type: 'CreateLocation', data: { code: 'A-01-02', parent: 'A', type: 'storage' } }).thenThrows(InvalidParentLocation, { field: 'parent' });
  });

  it('refuses a location that is its own parent', () => {
    const error = location
      .given([])
      .when({ type: 'CreateLocation', data: { code: 'A-01', parent: 'A-01', type: 'storage', parentFacts: { exists: true } } })
      .thenThrows(InvalidParentLocation);
    expect(error.message).toMatch(/own parent/);
  });

  it('refuses a code that already exists', () => {
    location
      .given([bin])
      .when({ type: 'CreateLocation', data: { code: 'A-01-02', type: 'storage', parentFacts: { exists: true } } })
      .thenThrows(DuplicateLocation, { location: 'A-01-02', field: 'code' });
  });
});

describe('BlockLocation', () => {
  it('blocks an open location, with its reason', () => {
    location.given([bin]).when({ type: 'BlockLocation', data: { code: 'A-01-02', reason: 'count' } }).then([blocked]);
  });

  it('is idempotent: blocking a blocked location records nothing', () => {
    location.given([bin, blocked]).when({ type: 'BlockLocation', data: { code: 'A-01-02' } }).then([]);
  });

  it('refuses an unknown location', () => {
    location.given([]).when({ type: 'BlockLocation', data: { code: 'Z-99' } }).thenThrows(UnknownLocation, { location: 'Z-99' });
  });
});

describe('UnblockLocation', () => {
  it('unblocks a blocked location', () => {
    location.given([bin, blocked]).when({ type: 'UnblockLocation', data: { code: 'A-01-02' } }).then([unblocked]);
  });

  it('is idempotent: unblocking an open location records nothing', () => {
    location.given([bin]).when({ type: 'UnblockLocation', data: { code: 'A-01-02' } }).then([]);
    location.given([bin, blocked, unblocked]).when({ type: 'UnblockLocation', data: { code: 'A-01-02' } }).then([]);
  });

  it('refuses an unknown location', () => {
    location.given([]).when({ type: 'UnblockLocation', data: { code: 'Z-99' } }).thenThrows(UnknownLocation, { location: 'Z-99' });
  });
});

describe('the location state', () => {
  it('follows blocking and unblocking, keeping the details', () => {
    expect(fold(locationDecider, [bin, blocked])).toEqual({ status: 'blocked', details: bin.data });
    expect(fold(locationDecider, [bin, blocked, unblocked])).toEqual({ status: 'open', details: bin.data });
  });
});
