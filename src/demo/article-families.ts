import type { Tracking } from '../domain/article/article.js';

/**
 * A product family of the demo catalog: one article per variant. `name` has `{v}` where the
 * variant's label goes. Quantities here are in units (the catalog turns them into thousandths).
 */
export interface ArticleFamily {
  readonly code: string;
  readonly name: string;
  readonly unit: 'pcs' | 'box' | 'kg' | 'm' | 'l';
  readonly tracking: Tracking;
  /** The smallest amount moved, in units (0.5 m of cable, a 25 kg bag of cement). */
  readonly step: number;
  /** The usual quantity of an order line, in units: from, to. */
  readonly order: readonly [number, number];
  /** Purchase price of one unit. */
  readonly cost: number;
  /** Lot-tracked families: days from production to expiry. */
  readonly shelfLifeDays?: number;
  /** Variant code (part of the SKU) and label (part of the name). */
  readonly variants: ReadonlyArray<readonly [string, string]>;
}

/** Variants whose code and label are the same text. */
const same = (...labels: string[]): Array<[string, string]> => labels.map((label) => [label.toUpperCase().replace(/[^A-Z0-9.]+/g, '-').replace(/^-|-$/g, ''), label]);

/** A hardware and consumables wholesaler: mostly untracked goods, food and chemicals by lot, tools and IT by serial. */
export const articleFamilies: readonly ArticleFamily[] = [
  { code: 'BOLT', name: 'Hex bolt {v} zinc plated', unit: 'pcs', tracking: 'none', step: 1, order: [10, 200], cost: 0.12, variants: same('M6x20', 'M6x30', 'M8x20', 'M8x30', 'M8x40', 'M8x60', 'M10x30', 'M10x40', 'M10x60', 'M12x40', 'M12x60', 'M12x80') },
  { code: 'BOLTA2', name: 'Hex bolt {v} stainless A2', unit: 'pcs', tracking: 'none', step: 1, order: [10, 100], cost: 0.35, variants: same('M6x20', 'M6x30', 'M8x30', 'M8x40', 'M10x40', 'M10x60', 'M12x60') },
  { code: 'NUT', name: 'Hex nut {v}', unit: 'pcs', tracking: 'none', step: 1, order: [20, 300], cost: 0.04, variants: same('M4', 'M5', 'M6', 'M8', 'M10', 'M12', 'M16', 'M20') },
  { code: 'WSH', name: 'Washer DIN 125 {v}, box of 100', unit: 'box', tracking: 'none', step: 1, order: [1, 10], cost: 2.9, variants: same('M4', 'M5', 'M6', 'M8', 'M10', 'M12', 'M16') },
  { code: 'SCR', name: 'Wood screw {v} mm, box of 200', unit: 'box', tracking: 'none', step: 1, order: [1, 8], cost: 6.5, variants: same('3.5x30', '4x30', '4x40', '4x50', '5x50', '5x60', '5x80', '6x100', '6x120') },
  { code: 'PLUG', name: 'Wall plug {v} mm, box of 100', unit: 'box', tracking: 'none', step: 1, order: [1, 6], cost: 3.2, variants: same('5', '6', '8', '10', '12', '14') },
  { code: 'NAIL', name: 'Wire nails {v} mm', unit: 'kg', tracking: 'none', step: 0.5, order: [1, 10], cost: 3.8, variants: same('2.0x40', '2.8x60', '3.1x80', '3.4x90', '4.2x120') },
  { code: 'CBL', name: 'Cable NYM-J {v} mm²', unit: 'm', tracking: 'none', step: 0.5, order: [5, 100], cost: 0.9, variants: same('3x1.5', '3x2.5', '5x1.5', '5x2.5', '5x4', '5x6', '7x1.5') },
  { code: 'HOSE', name: 'Garden hose {v}', unit: 'm', tracking: 'none', step: 0.5, order: [5, 50], cost: 1.1, variants: [['12', '1/2 in'], ['19', '3/4 in'], ['25', '1 in']] },
  { code: 'ROPE', name: 'Polypropylene rope {v} mm', unit: 'm', tracking: 'none', step: 0.5, order: [5, 60], cost: 0.45, variants: same('6', '8', '10', '12', '14') },
  { code: 'CHN', name: 'Chain {v} mm galvanised', unit: 'm', tracking: 'none', step: 0.5, order: [2, 20], cost: 3.4, variants: same('4', '5', '6', '8', '10') },
  { code: 'PIPE', name: 'PVC pipe DN {v}', unit: 'm', tracking: 'none', step: 1, order: [2, 30], cost: 2.2, variants: same('32', '40', '50', '75', '110', '125') },
  { code: 'WIRE', name: 'Binding wire {v} mm', unit: 'kg', tracking: 'none', step: 0.25, order: [1, 8], cost: 4.5, variants: same('1.0', '1.4', '2.0', '2.5') },
  { code: 'TIE', name: 'Cable tie {v} mm, box of 100', unit: 'box', tracking: 'none', step: 1, order: [1, 12], cost: 2.1, variants: [['100B', '100x2.5 black'], ['200B', '200x3.6 black'], ['300B', '300x4.8 black'], ['100W', '100x2.5 white'], ['200W', '200x3.6 white'], ['370B', '370x7.6 black']] },
  { code: 'GLV', name: 'Nitrile work gloves, size {v}', unit: 'pcs', tracking: 'none', step: 1, order: [5, 60], cost: 1.4, variants: same('7', '8', '9', '10', '11') },
  { code: 'BOOT', name: 'Safety boots S3, size {v}', unit: 'pcs', tracking: 'none', step: 1, order: [1, 4], cost: 48, variants: same('39', '40', '41', '42', '43', '44', '45', '46', '47') },
  { code: 'VEST', name: 'High-visibility vest, size {v}', unit: 'pcs', tracking: 'none', step: 1, order: [2, 20], cost: 2.6, variants: same('M', 'L', 'XL', 'XXL', '3XL') },
  { code: 'HELM', name: 'Safety helmet {v}', unit: 'pcs', tracking: 'none', step: 1, order: [1, 10], cost: 9.5, variants: same('white', 'yellow', 'red', 'blue', 'orange') },
  { code: 'CTN', name: 'Carton box {v} mm', unit: 'pcs', tracking: 'none', step: 1, order: [20, 250], cost: 0.6, variants: same('200x150x100', '300x200x150', '400x300x200', '500x400x300', '600x400x400', '800x600x400') },
  { code: 'FILM', name: 'Stretch film {v}', unit: 'pcs', tracking: 'none', step: 1, order: [1, 12], cost: 8.9, variants: [['450', '450 mm, 17 µm'], ['500', '500 mm, 23 µm'], ['500B', '500 mm, 23 µm black']] },
  { code: 'TAPE', name: 'Masking tape {v} mm x 50 m', unit: 'pcs', tracking: 'none', step: 1, order: [2, 36], cost: 1.3, variants: same('19', '25', '30', '38', '50') },
  { code: 'PTAPE', name: 'Packing tape {v}, 66 m', unit: 'pcs', tracking: 'none', step: 1, order: [6, 72], cost: 1.1, variants: same('brown', 'clear', 'printed fragile') },
  { code: 'LBL', name: 'Shipping labels {v} mm, roll of 500', unit: 'pcs', tracking: 'none', step: 1, order: [1, 10], cost: 7.5, variants: same('100x50', '100x150', '100x210', '57x32') },
  { code: 'LED', name: 'LED bulb {v}', unit: 'pcs', tracking: 'none', step: 1, order: [2, 40], cost: 2.4, variants: [['E27-5W', 'E27 5 W'], ['E27-8W', 'E27 8 W'], ['E27-12W', 'E27 12 W'], ['E14-4W', 'E14 4 W'], ['E14-6W', 'E14 6 W'], ['GU10-5W', 'GU10 5 W']] },
  { code: 'MCB', name: 'Circuit breaker {v}', unit: 'pcs', tracking: 'none', step: 1, order: [1, 12], cost: 3.9, variants: same('B6', 'B10', 'B13', 'B16', 'B20', 'B32', 'C16') },
  { code: 'EXT', name: 'Extension lead {v} m', unit: 'pcs', tracking: 'none', step: 1, order: [1, 6], cost: 11, variants: same('1.5', '3', '5', '10', '25') },
  { code: 'OUT', name: 'Socket outlet {v}', unit: 'pcs', tracking: 'none', step: 1, order: [2, 20], cost: 4.2, variants: same('white', 'anthracite', 'aluminium') },
  { code: 'SAND', name: 'Sanding sheets P{v}, pack of 50', unit: 'box', tracking: 'none', step: 1, order: [1, 5], cost: 9.9, variants: same('40', '60', '80', '120', '180', '240', '320') },
  { code: 'BIT', name: 'HSS drill bit {v} mm', unit: 'pcs', tracking: 'none', step: 1, order: [1, 20], cost: 1.8, variants: same('2', '3', '4', '5', '6', '8', '10', '12') },
  { code: 'SOCK', name: 'Socket {v} mm, 1/2 in drive', unit: 'pcs', tracking: 'none', step: 1, order: [1, 6], cost: 3.1, variants: same('10', '13', '17', '19', '22', '24', '27') },
  { code: 'SPAN', name: 'Combination spanner {v} mm', unit: 'pcs', tracking: 'none', step: 1, order: [1, 6], cost: 5.5, variants: same('8', '10', '13', '17', '19', '22') },
  { code: 'BRSH', name: 'Paint brush {v} mm', unit: 'pcs', tracking: 'none', step: 1, order: [2, 24], cost: 2.3, variants: same('25', '35', '50', '70', '100') },
  { code: 'ROLL', name: 'Paint roller {v} cm', unit: 'pcs', tracking: 'none', step: 1, order: [1, 12], cost: 4.7, variants: same('10', '18', '25') },
  { code: 'HNG', name: 'Door hinge {v} mm', unit: 'pcs', tracking: 'none', step: 1, order: [2, 30], cost: 2.8, variants: same('60', '80', '100', '120') },
  { code: 'BRK', name: 'Angle bracket {v} mm', unit: 'pcs', tracking: 'none', step: 1, order: [4, 50], cost: 0.7, variants: same('40', '60', '80', '100', '140') },
  { code: 'SHB', name: 'Shelf bracket {v} mm', unit: 'pcs', tracking: 'none', step: 1, order: [2, 20], cost: 1.9, variants: same('150', '200', '250', '300') },
  { code: 'CLMP', name: 'Hose clamp {v} mm', unit: 'pcs', tracking: 'none', step: 1, order: [5, 50], cost: 0.5, variants: same('8-12', '12-22', '16-27', '20-32', '32-50', '40-60') },
  { code: 'ORNG', name: 'O-ring {v} mm, pack of 10', unit: 'box', tracking: 'none', step: 1, order: [1, 10], cost: 1.6, variants: same('10x2', '16x2', '20x3', '25x3', '32x3', '40x4') },
  { code: 'STRAP', name: 'Lashing strap {v}', unit: 'pcs', tracking: 'none', step: 1, order: [2, 12], cost: 6.2, variants: [['4M', '4 m, 800 kg'], ['6M', '6 m, 2000 kg'], ['8M', '8 m, 4000 kg']] },
  { code: 'TARP', name: 'Tarpaulin {v} m', unit: 'pcs', tracking: 'none', step: 1, order: [1, 5], cost: 12, variants: same('2x3', '3x4', '4x6', '6x8', '8x10') },
  { code: 'SACK', name: 'Rubble sacks {v} l, pack of 10', unit: 'box', tracking: 'none', step: 1, order: [1, 8], cost: 4.4, variants: same('60', '80', '120', '240') },
  { code: 'CLTH', name: 'Cleaning cloths {v}, box of 100', unit: 'box', tracking: 'none', step: 1, order: [1, 6], cost: 8.5, variants: same('blue', 'white', 'microfibre') },
  { code: 'QSND', name: 'Quartz sand {v} mm', unit: 'kg', tracking: 'none', step: 25, order: [25, 250], cost: 0.3, variants: same('0.1-0.5', '0.5-1.0', '1.0-2.0') },
  { code: 'SALT', name: 'De-icing salt {v}', unit: 'kg', tracking: 'none', step: 25, order: [25, 500], cost: 0.25, variants: same('fine', 'coarse') },
  { code: 'STRP', name: 'Steel strapping {v} mm', unit: 'm', tracking: 'none', step: 1, order: [20, 200], cost: 0.15, variants: same('13', '16', '19') },
  { code: 'PAL', name: 'Pallet {v}', unit: 'pcs', tracking: 'none', step: 1, order: [1, 20], cost: 14, variants: [['EUR', 'Euro 1200x800'], ['IND', 'industrial 1200x1000'], ['HALF', 'half 800x600']] },
  { code: 'GLUE', name: 'Wood glue D3, {v}', unit: 'pcs', tracking: 'lot', step: 1, order: [1, 12], cost: 4.9, shelfLifeDays: 365, variants: same('250 g', '500 g', '750 g', '5 kg') },
  { code: 'SIL', name: 'Silicone sealant {v}, 310 ml', unit: 'pcs', tracking: 'lot', step: 1, order: [2, 24], cost: 3.6, shelfLifeDays: 540, variants: same('white', 'transparent', 'grey', 'black', 'brown') },
  { code: 'EPX', name: 'Epoxy adhesive 2K, {v}', unit: 'pcs', tracking: 'lot', step: 1, order: [1, 10], cost: 7.8, shelfLifeDays: 180, variants: same('25 ml', '50 ml', '200 ml') },
  { code: 'FOAM', name: 'PU foam {v}, 750 ml', unit: 'pcs', tracking: 'lot', step: 1, order: [2, 12], cost: 6.4, shelfLifeDays: 365, variants: same('standard', 'fire-rated', 'low-expansion') },
  { code: 'SPRY', name: 'Spray paint {v}, 400 ml', unit: 'pcs', tracking: 'lot', step: 1, order: [1, 12], cost: 5.2, shelfLifeDays: 1095, variants: same('black', 'white', 'red', 'blue', 'silver') },
  { code: 'HOIL', name: 'Hydraulic oil HLP {v}', unit: 'l', tracking: 'lot', step: 1, order: [5, 60], cost: 2.9, shelfLifeDays: 720, variants: same('32', '46', '68') },
  { code: 'MOIL', name: 'Engine oil {v}', unit: 'l', tracking: 'lot', step: 1, order: [1, 20], cost: 6.1, shelfLifeDays: 900, variants: same('5W-30', '5W-40', '10W-40') },
  { code: 'PNT', name: 'Wall paint, {v}', unit: 'l', tracking: 'lot', step: 2.5, order: [5, 50], cost: 3.5, shelfLifeDays: 365, variants: same('white', 'off-white', 'light grey', 'sand') },
  { code: 'PRM', name: 'Primer, {v}', unit: 'l', tracking: 'lot', step: 1, order: [2, 20], cost: 4.2, shelfLifeDays: 365, variants: same('universal', 'deep', 'metal') },
  { code: 'CEM', name: 'Cement CEM II {v}', unit: 'kg', tracking: 'lot', step: 25, order: [25, 500], cost: 0.22, shelfLifeDays: 180, variants: same('32.5 R', '42.5 N') },
  { code: 'TILE', name: 'Tile adhesive {v}', unit: 'kg', tracking: 'lot', step: 25, order: [25, 200], cost: 0.6, shelfLifeDays: 270, variants: same('C1', 'C2 flexible') },
  { code: 'SANI', name: 'Hand sanitiser, {v}', unit: 'pcs', tracking: 'lot', step: 1, order: [2, 24], cost: 2.7, shelfLifeDays: 730, variants: same('100 ml', '500 ml', '1 l') },
  { code: 'DET', name: 'Detergent, {v}', unit: 'l', tracking: 'lot', step: 1, order: [2, 20], cost: 1.9, shelfLifeDays: 730, variants: same('floor', 'glass', 'sanitary', 'degreaser') },
  { code: 'COOL', name: 'Coolant {v}', unit: 'l', tracking: 'lot', step: 1, order: [1, 10], cost: 3.3, shelfLifeDays: 1095, variants: same('G12', 'G13') },
  { code: 'BATT', name: 'Alkaline battery {v}, pack of 4', unit: 'box', tracking: 'lot', step: 1, order: [1, 20], cost: 3.1, shelfLifeDays: 1800, variants: same('AA', 'AAA', 'C', 'D', '9V') },
  { code: 'COF', name: 'Coffee beans, {v}', unit: 'kg', tracking: 'lot', step: 1, order: [1, 10], cost: 14, shelfLifeDays: 270, variants: same('espresso', 'crema', 'decaf') },
  { code: 'TEA', name: 'Tea, {v}, 25 bags', unit: 'box', tracking: 'lot', step: 1, order: [1, 12], cost: 2.2, shelfLifeDays: 540, variants: same('black', 'green', 'peppermint', 'chamomile') },
  { code: 'MILK', name: 'UHT milk {v}, 1 l', unit: 'pcs', tracking: 'lot', step: 1, order: [6, 48], cost: 0.85, shelfLifeDays: 90, variants: same('1.5 %', '3.5 %', 'lactose-free') },
  { code: 'JUICE', name: '{v} juice, 1 l', unit: 'pcs', tracking: 'lot', step: 1, order: [6, 36], cost: 1.2, shelfLifeDays: 60, variants: same('Orange', 'Apple', 'Multivitamin') },
  { code: 'WATER', name: 'Mineral water {v}, 1.5 l', unit: 'pcs', tracking: 'lot', step: 1, order: [6, 72], cost: 0.3, shelfLifeDays: 365, variants: same('still', 'sparkling', 'medium') },
  { code: 'YOG', name: 'Yoghurt {v}, 500 g', unit: 'pcs', tracking: 'lot', step: 1, order: [4, 24], cost: 0.9, shelfLifeDays: 21, variants: same('natural', 'strawberry', 'vanilla') },
  { code: 'BUTR', name: 'Butter {v}, 250 g', unit: 'pcs', tracking: 'lot', step: 1, order: [4, 40], cost: 1.6, shelfLifeDays: 45, variants: same('salted', 'unsalted') },
  { code: 'CHS', name: 'Cream cheese {v}, 200 g', unit: 'pcs', tracking: 'lot', step: 1, order: [4, 24], cost: 1.1, shelfLifeDays: 30, variants: same('natural', 'herbs') },
  { code: 'EGG', name: 'Eggs, {v}, box of 10', unit: 'box', tracking: 'lot', step: 1, order: [2, 20], cost: 2.4, shelfLifeDays: 28, variants: same('free-range', 'organic') },
  { code: 'FLOUR', name: 'Flour type {v}', unit: 'kg', tracking: 'lot', step: 1, order: [5, 50], cost: 0.5, shelfLifeDays: 240, variants: same('405', '550', '1050') },
  { code: 'RICE', name: '{v} rice', unit: 'kg', tracking: 'lot', step: 1, order: [2, 25], cost: 1.7, shelfLifeDays: 540, variants: same('Basmati', 'Jasmine', 'Long-grain') },
  { code: 'PASTA', name: 'Pasta {v}, 500 g', unit: 'pcs', tracking: 'lot', step: 1, order: [6, 60], cost: 0.7, shelfLifeDays: 720, variants: same('spaghetti', 'penne', 'fusilli', 'farfalle') },
  { code: 'TOM', name: 'Chopped tomatoes {v}, 400 g', unit: 'pcs', tracking: 'lot', step: 1, order: [6, 48], cost: 0.6, shelfLifeDays: 730, variants: same('plain', 'with herbs') },
  { code: 'CHOC', name: 'Chocolate {v}, 100 g', unit: 'pcs', tracking: 'lot', step: 1, order: [10, 60], cost: 0.8, shelfLifeDays: 300, variants: same('milk', 'dark', 'hazelnut') },
  { code: 'DRL', name: 'Cordless drill 18 V, {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 89, variants: same('body only', '2 x 2.0 Ah', '2 x 4.0 Ah') },
  { code: 'GRD', name: 'Angle grinder {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 64, variants: same('115 mm', '125 mm', '230 mm') },
  { code: 'CSAW', name: 'Circular saw {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 1], cost: 129, variants: same('165 mm', '190 mm') },
  { code: 'HAM', name: 'Rotary hammer SDS-plus {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 1], cost: 149, variants: same('800 W', '1000 W') },
  { code: 'LDM', name: 'Laser distance meter {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 79, variants: same('30 m', '50 m', '100 m') },
  { code: 'SCAN', name: 'Barcode scanner, {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 3], cost: 119, variants: same('corded', 'cordless', 'ring') },
  { code: 'LPR', name: 'Label printer {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 289, variants: same('203 dpi', '300 dpi') },
  { code: 'LTP', name: 'Laptop 14 in, {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 3], cost: 749, variants: same('8 GB', '16 GB', '32 GB') },
  { code: 'MON', name: 'Monitor {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 4], cost: 189, variants: same('24 in', '27 in', '32 in') },
  { code: 'TAB', name: 'Rugged tablet {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 459, variants: same('8 in', '10 in') },
  { code: 'MOB', name: 'Mobile computer, {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 3], cost: 899, variants: same('touch', 'with pistol grip') },
  { code: 'RTR', name: 'Router, {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 159, variants: same('office', 'industrial') },
  { code: 'UPS', name: 'UPS {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 249, variants: same('1000 VA', '1500 VA', '3000 VA') },
  { code: 'PJK', name: 'Pallet truck {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 1], cost: 319, variants: same('2.0 t', '2.5 t') },
  { code: 'PWS', name: 'Pressure washer {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 1], cost: 199, variants: same('130 bar', '160 bar') },
  { code: 'GEN', name: 'Generator {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 1], cost: 699, variants: same('2 kW', '3.5 kW') },
  { code: 'CMP', name: 'Air compressor {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 1], cost: 229, variants: same('24 l', '50 l', '100 l') },
  { code: 'WLD', name: 'Welding inverter {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 1], cost: 279, variants: same('160 A', '200 A') },
  { code: 'VAC', name: 'Wet and dry vacuum {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 139, variants: same('20 l', '30 l') },
  { code: 'HGUN', name: 'Heat gun {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 49, variants: same('1800 W', '2000 W') },
  { code: 'DMM', name: 'Multimeter, {v}', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 3], cost: 59, variants: same('basic', 'true RMS') },
  { code: 'CAM', name: 'Inspection camera, {v} cable', unit: 'pcs', tracking: 'serial', step: 1, order: [1, 2], cost: 99, variants: same('1 m', '5 m') },
];
