import type { ArticleDetails, Tracking } from '../domain/article/article.js';
import { oneUnit, type Quantity } from '../domain/quantity.js';
import { articleFamilies, type ArticleFamily } from './article-families.js';
import type { SeededRandom } from './seeded-random.js';
import { definedFields } from '../domain/defined-fields.js';

/** An article of the demo catalog with what the simulation needs to trade it. */
export interface DemoArticle {
  readonly details: ArticleDetails;
  /** The smallest amount moved (thousandths). */
  readonly step: Quantity;
  /** The usual quantity of an order line, from and to (thousandths). */
  readonly orderQuantity: readonly [Quantity, Quantity];
  /** How often customers order it, relative to the other articles. */
  readonly popularity: number;
  /** Index of its supplier. */
  readonly supplier: number;
  readonly unitCost: number;
  /** Where it is stored, and where what does not fit goes. */
  readonly homeBin: string;
  readonly overflowBin: string;
  /** Stock position (on hand less reserved plus on order) at which purchasing orders more. */
  readonly replenishAt: Quantity;
  readonly replenishQuantity: Quantity;
  /** Serial-tracked articles: what every serial starts with. */
  readonly serialPrefix: string;
}

/** The demo's suppliers; an article is bought from one of them. */
export const suppliers: ReadonlyArray<{ readonly name: string; readonly leadTimeDays: number }> = [
  { name: 'Fastener Import', leadTimeDays: 3 },
  { name: 'Elektro Nord', leadTimeDays: 2 },
  { name: 'PackWorld', leadTimeDays: 4 },
  { name: 'ChemTec', leadTimeDays: 5 },
  { name: 'Fresh Foods', leadTimeDays: 1 },
  { name: 'Dry Goods Trading', leadTimeDays: 3 },
  { name: 'ToolPro', leadTimeDays: 6 },
  { name: 'IT Distribution', leadTimeDays: 4 },
  { name: 'Safety First', leadTimeDays: 5 },
];

/** Other sources of the same goods, used when the families have fewer variants than articles are wanted (then numbered sources). */
const brands = [
  ['PL', 'ProLine'],
  ['BL', 'BudgetLine'],
  ['IN', 'Industrial'],
] as const;

/** An EAN-13 code: 12 digits and their check digit (weights 1 and 3 from the left). */
function ean13(twelveDigits: string): string {
  if (!/^\d{12}$/.test(twelveDigits)) throw new Error(`an EAN-13 needs 12 digits before its check digit: ${twelveDigits}`);
  const sum = [...twelveDigits].reduce((total, digit, index) => total + Number(digit) * (index % 2 === 0 ? 1 : 3), 0);
  return `${twelveDigits}${(10 - (sum % 10)) % 10}`;
}

const roundUpTo = (quantity: number, step: Quantity): Quantity => Math.max(step, Math.ceil(quantity / step) * step);

interface Candidate {
  readonly family: ArticleFamily;
  readonly variant: number;
  readonly brand: number;
}

/** `count` candidates of one tracking kind: every family variant once, then again from other sources. */
function candidates(random: SeededRandom, tracking: Tracking, count: number): Candidate[] {
  const pool = articleFamilies.flatMap((family) => (family.tracking === tracking ? family.variants.map((_, variant) => ({ family, variant })) : []));
  const picked: Candidate[] = [];
  for (let brand = 0; picked.length < count; brand += 1) {
    picked.push(...random.shuffle(pool).slice(0, count - picked.length).map((candidate) => ({ ...candidate, brand })));
  }
  return picked;
}

function supplierOf(family: ArticleFamily): number {
  if (family.tracking === 'serial') return family.cost > 300 ? 7 : 6;
  if (family.tracking === 'lot') return family.shelfLifeDays !== undefined && family.shelfLifeDays <= 90 ? 4 : family.unit === 'l' ? 3 : 5;
  if (family.unit === 'm' || family.code === 'LED' || family.code === 'MCB') return 1;
  if (['CTN', 'FILM', 'TAPE', 'PTAPE', 'LBL', 'PAL', 'STRP'].includes(family.code)) return 2;
  if (['GLV', 'BOOT', 'VEST', 'HELM'].includes(family.code)) return 8;
  return 0;
}

/**
 * The demo catalog: `count` articles, about 70% untracked, 20% by lot, 10% by serial, in random
 * order. Popularity follows a long tail (a few articles sell most), and replenishment levels are
 * set from the demand that `orderLinesPerDay` order lines make. About 70% carry an EAN-13 barcode;
 * about half of the untracked and lot-tracked ones a reorder point.
 */
export function demoCatalog(random: SeededRandom, count: number, bins: readonly string[], orderLinesPerDay: number): DemoArticle[] {
  const lots = Math.round(count * 0.2);
  const serials = Math.round(count * 0.1);
  const chosen = random.shuffle([...candidates(random, 'none', count - lots - serials), ...candidates(random, 'lot', lots), ...candidates(random, 'serial', serials)]);
  const weights = chosen.map((_, rank) => 1 / (rank + 1) ** 0.9);
  const ranks = random.shuffle(chosen.map((_, index) => index));
  const totalWeight = weights.reduce((sum, weight) => sum + weight, 0);
  const homeBins = random.shuffle(bins);
  const skus = new Set<string>();
  return chosen.map(({ family, variant, brand }, index): DemoArticle => {
    const [variantCode, variantLabel] = family.variants[variant] ?? ['', ''];
    const [brandCode, brandName] = brand === 0 ? [undefined, undefined] : (brands[brand - 1] ?? [`S${brand}`, `source ${brand}`]);
    const sku = `${family.code}-${variantCode}${brandCode ? `-${brandCode}` : ''}`;
    if (skus.has(sku) || !/^[A-Za-z0-9._/-]{1,64}$/.test(sku)) throw new Error(`demo catalog: bad or repeated SKU ${sku}`);
    skus.add(sku);
    const step = Math.round(family.step * oneUnit);
    const orderQuantity = [roundUpTo(family.order[0] * oneUnit, step), roundUpTo(family.order[1] * oneUnit, step)] as const;
    const popularity = weights[ranks[index] ?? 0] ?? 0;
    const dailyDemand = ((orderLinesPerDay * popularity) / totalWeight) * ((orderQuantity[0] + orderQuantity[1]) / 2);
    const replenishAt = roundUpTo(dailyDemand * 7, step);
    const replenishQuantity = roundUpTo(Math.max(dailyDemand * 28, orderQuantity[1] * 2), step);
    // The reorder point warns early; purchasing orders once stock is down to its own, lower level,
    // so the low-stock report has articles on it, as it would in a real warehouse.
    const reorderPoint = Math.max(roundUpTo(dailyDemand * 12, step), replenishAt + step);
    const withReorderPoint = family.tracking !== 'serial' && random.chance(0.5);
    const barcode = random.chance(0.7) ? ean13(`426012${String(index + 1).padStart(6, '0')}`) : undefined;
    const details: ArticleDetails = definedFields({
      sku,
      name: `${family.name.replace('{v}', variantLabel)}${brandName ? `, ${brandName}` : ''}`,
      unit: family.unit,
      tracking: family.tracking,
      barcode,
      ...(withReorderPoint ? { reorderPoint, reorderQuantity: replenishQuantity } : {}),
      shelfLifeDays: family.shelfLifeDays,
    });
    const homeBin = homeBins[index % homeBins.length] as string;
    return {
      details,
      step,
      orderQuantity,
      popularity,
      supplier: supplierOf(family),
      unitCost: Math.round(family.cost * (brand === 2 ? 0.8 : brand === 0 ? 1 : 1.15) * 100) / 100,
      homeBin,
      overflowBin: homeBins[(index + 1 + random.int(0, homeBins.length - 2)) % homeBins.length] as string,
      replenishAt,
      replenishQuantity,
      serialPrefix: `${family.code}${variant + 1}${brandCode ?? ''}-`,
    };
  });
}
