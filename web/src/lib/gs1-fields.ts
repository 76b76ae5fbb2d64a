/**
 * The GS1 application identifiers (AIs) the dashboard understands, and how each one's data is
 * checked and turned into a field of a scan. Figures from the GS1 General Specifications
 * (section 3: AI definitions; 7.8.5: AIs of predefined length; 7.12: the century of a YYMMDD date).
 *
 * Glossary: an element string is an AI followed by its data; FNC1 (sent by scanners as the ASCII
 * group separator, "\u001d") ends a variable-length element that is not the last one.
 */

/** What the data of one AI must look like. */
export interface AiDefinition {
  /** The AI itself, e.g. "01" or "3103". */
  readonly ai: string;
  /** `fixed`: exactly `length` characters; `variable`: 1 to `length` characters. */
  readonly kind: 'fixed' | 'variable';
  readonly length: number;
  /** `digits`: 0-9 only; `cset82`: GS1 AI encodable character set 82. */
  readonly charset: 'digits' | 'cset82';
  /** What the data means: picks the check and the field of the parsed scan it fills. */
  readonly meaning: AiMeaning;
}

/** The meaning of an AI's data, which decides its field in the parsed scan. */
export type AiMeaning =
  | { readonly type: 'gtin'; readonly field: 'gtin' | 'content' }
  | { readonly type: 'sscc' }
  | { readonly type: 'date'; readonly field: 'productionDate' | 'packagingDate' | 'bestBefore' | 'sellBy' | 'expiry' }
  | { readonly type: 'text'; readonly field: 'lot' | 'serial' | 'variant' }
  | { readonly type: 'count' }
  | { readonly type: 'net-weight-kg'; readonly decimals: number }
  | { readonly type: 'additional'; readonly label: string };

const gtin = (ai: string, field: 'gtin' | 'content'): AiDefinition => ({ ai, kind: 'fixed', length: 14, charset: 'digits', meaning: { type: 'gtin', field } });
const date = (ai: string, field: 'productionDate' | 'packagingDate' | 'bestBefore' | 'sellBy' | 'expiry'): AiDefinition => ({ ai, kind: 'fixed', length: 6, charset: 'digits', meaning: { type: 'date', field } });
const additional = (ai: string, length: number, label: string): AiDefinition => ({ ai, kind: 'variable', length, charset: 'cset82', meaning: { type: 'additional', label } });

const definitions: readonly AiDefinition[] = [
  { ai: '00', kind: 'fixed', length: 18, charset: 'digits', meaning: { type: 'sscc' } },
  gtin('01', 'gtin'),
  gtin('02', 'content'),
  { ai: '10', kind: 'variable', length: 20, charset: 'cset82', meaning: { type: 'text', field: 'lot' } },
  date('11', 'productionDate'),
  date('13', 'packagingDate'),
  date('15', 'bestBefore'),
  date('16', 'sellBy'),
  date('17', 'expiry'),
  { ai: '20', kind: 'fixed', length: 2, charset: 'digits', meaning: { type: 'text', field: 'variant' } },
  { ai: '21', kind: 'variable', length: 20, charset: 'cset82', meaning: { type: 'text', field: 'serial' } },
  { ai: '30', kind: 'variable', length: 8, charset: 'digits', meaning: { type: 'count' } },
  { ai: '37', kind: 'variable', length: 8, charset: 'digits', meaning: { type: 'count' } },
  // 310n: net weight in kilograms with n decimals; GS1 defines n = 0 to 5.
  ...[0, 1, 2, 3, 4, 5].map((decimals): AiDefinition => ({ ai: `310${decimals}`, kind: 'fixed', length: 6, charset: 'digits', meaning: { type: 'net-weight-kg', decimals } })),
  additional('240', 30, 'additionalItemId'),
  additional('241', 30, 'customerPartNumber'),
  additional('250', 30, 'secondarySerial'),
  additional('400', 30, 'customerOrderNumber'),
  additional('90', 30, 'mutuallyAgreed'),
  ...['91', '92', '93', '94', '95', '96', '97', '98', '99'].map((ai) => additional(ai, 90, `company${ai}`)),
];

const byAi = new Map(definitions.map((definition) => [definition.ai, definition]));

/**
 * The known AI that `text` starts with at `at` (AIs are prefix-free, so at most one matches), or
 * undefined when the digits there name an AI this module does not know.
 */
export function aiAt(text: string, at: number): AiDefinition | undefined {
  for (const length of [2, 3, 4]) {
    const found = byAi.get(text.slice(at, at + length));
    if (found) return found;
  }
  return undefined;
}

/** The definition of one AI given by itself, as in "(17)". */
export function aiDefinition(ai: string): AiDefinition | undefined {
  return byAi.get(ai);
}

/**
 * Element lengths (AI and data together) that GS1 predefines by the AI's first two digits
 * (General Specifications figure 7.8.5-2). Only these need no FNC1 after them, so only these let
 * a raw string be read past an AI this module does not know.
 */
const predefinedLengths: ReadonlyMap<string, number> = new Map([
  ['00', 20], ['01', 16], ['02', 16], ['03', 16], ['04', 18],
  ['11', 8], ['12', 8], ['13', 8], ['14', 8], ['15', 8], ['16', 8], ['17', 8], ['18', 8], ['19', 8],
  ['20', 4], ['31', 10], ['32', 10], ['33', 10], ['34', 10], ['35', 10], ['36', 10], ['41', 16],
]);

/** The predefined element length for an element starting with these two digits, if GS1 fixes one. */
export function predefinedElementLength(firstTwoDigits: string): number | undefined {
  return predefinedLengths.get(firstTwoDigits);
}

/** GS1 AI encodable character set 82: ! " % & ' ( ) * + , - . / 0-9 : ; < = > ? A-Z _ a-z. */
const cset82 = /^[!"%-?A-Z_a-z]*$/;
const digits = /^\d*$/;

/** The index in `data` of the first character the charset does not allow, or -1. */
export function firstInvalidCharacter(data: string, charset: AiDefinition['charset']): number {
  const pattern = charset === 'digits' ? digits : cset82;
  if (pattern.test(data)) return -1;
  for (let index = 0; index < data.length; index += 1) {
    if (!pattern.test(data.charAt(index))) return index;
  }
  return -1;
}
