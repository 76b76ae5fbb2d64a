import type { LocationDetails } from '../domain/location/location.js';

/** The demo warehouse: its locations in the order they are created (parents first), and their roles. */
export interface WarehouseLayout {
  /** Every location, each after its parent. */
  readonly locations: readonly LocationDetails[];
  /** Docks where receipts arrive. */
  readonly receiving: readonly string[];
  /** Where picked orders wait for the carrier. */
  readonly shipping: readonly string[];
  /** Where customer returns arrive and are inspected. */
  readonly returns: string;
  /** Where damaged or doubtful stock is kept apart. */
  readonly quarantine: string;
  /** The storage bins (`A-01-01`: aisle A, rack 01, level 01). */
  readonly bins: readonly string[];
}

const aisles = ['A', 'B', 'C', 'D'];
const racksPerAisle = 12;
const levelsPerRack = 4;

const twoDigits = (n: number): string => String(n).padStart(2, '0');

/**
 * One warehouse `WH1` with two receiving docks, two shipping docks, a returns area, a quarantine
 * area and four aisles of 12 racks with 4 levels each: 203 locations, 192 of them bins.
 */
export function demoWarehouse(): WarehouseLayout {
  const warehouse = 'WH1';
  const receiving = ['RCV-01', 'RCV-02'];
  const shipping = ['SHP-01', 'SHP-02'];
  const returns = 'RET-01';
  const quarantine = 'QRT-01';
  const locations: LocationDetails[] = [
    { code: warehouse, name: 'Main warehouse', type: 'warehouse' },
    ...receiving.map((code, i): LocationDetails => ({ code, name: `Receiving dock ${i + 1}`, parent: warehouse, type: 'receiving' })),
    ...shipping.map((code, i): LocationDetails => ({ code, name: `Shipping dock ${i + 1}`, parent: warehouse, type: 'shipping' })),
    { code: returns, name: 'Returns area', parent: warehouse, type: 'returns' },
    { code: quarantine, name: 'Quarantine', parent: warehouse, type: 'quarantine' },
    ...aisles.map((aisle): LocationDetails => ({ code: aisle, name: `Aisle ${aisle}`, parent: warehouse, type: 'storage' })),
  ];
  const bins: string[] = [];
  for (const aisle of aisles) {
    for (let rack = 1; rack <= racksPerAisle; rack += 1) {
      for (let level = 1; level <= levelsPerRack; level += 1) {
        const code = `${aisle}-${twoDigits(rack)}-${twoDigits(level)}`;
        bins.push(code);
        locations.push({ code, name: `Aisle ${aisle}, rack ${rack}, level ${level}`, parent: aisle, type: 'storage' });
      }
    }
  }
  return { locations, receiving, shipping, returns, quarantine, bins };
}
