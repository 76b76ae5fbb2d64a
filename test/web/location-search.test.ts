import { describe, expect, it } from '@jest/globals';
import { visibleCodes, type Location } from '../../web/src/screens/location-search.js';

const at = (code: string, parent: string | null, name: string | null = null): Location => ({ code, name, parent, type: parent ? 'storage' : 'warehouse', blocked: false });
const locations = [at('WH1', null, 'Main warehouse'), at('A', 'WH1', 'Aisle A'), at('B', 'WH1', 'Aisle B'), at('A-01-01', 'A', 'Aisle A, rack 1, level 1'), at('B-07-03', 'B', 'Aisle B, rack 7, level 3'), at('WH2', null)];

describe('visibleCodes (the Locations search)', () => {
  it('shows everything when nothing is searched', () => {
    expect(visibleCodes(locations, '  ')).toBeUndefined();
  });

  it('finds a bin at depth 3 and keeps its ancestors, nothing else', () => {
    expect([...(visibleCodes(locations, 'b-07') ?? [])].sort()).toEqual(['B', 'B-07-03', 'WH1']);
  });

  it('matches names as well as codes, at every depth', () => {
    expect([...(visibleCodes(locations, 'rack 1') ?? [])].sort()).toEqual(['A', 'A-01-01', 'WH1']);
    expect([...(visibleCodes(locations, 'main') ?? [])]).toEqual(['WH1']);
  });

  it('finds nothing when nothing matches', () => {
    expect(visibleCodes(locations, 'ZZZ')?.size).toBe(0);
  });
});
