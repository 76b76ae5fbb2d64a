/**
 * Reads what a barcode scanner delivers: a GS1 element string (from a GS1-128, GS1 DataMatrix,
 * GS1 QR Code or DataBar), written with parentheses around the AIs or raw with FNC1 as the group
 * separator, or a plain code (EAN-13, UPC-A, EAN-8, a location code, a SKU).
 */
import { aiAt, aiDefinition, firstInvalidCharacter, predefinedElementLength, type AiDefinition } from './gs1-fields.js';
import { hasValidCheckDigit, looksLikeGtin, toGtin14 } from './gs1-check-digit.js';
import { gs1DateToIso } from './gs1-date.js';

/** The group separator (ASCII 29) that scanners send for FNC1. */
export const GROUP_SEPARATOR = '\u001d';

/** One element string as it was read: the AI and its data, and where it starts in the input. */
export interface Gs1Element {
  readonly ai: string;
  readonly data: string;
  readonly position: number;
}

/** Text from an AI this module does not know: reported as it stands, never guessed at. */
export interface UnknownElement {
  /** The AI when the input delimits it (parentheses); absent for raw input. */
  readonly ai?: string;
  /** The AI's data, or for raw input the whole unread element (AI and data). */
  readonly text: string;
  readonly position: number;
}

/** A GS1 element string, read. Dates are ISO dates; counts and weights exact decimal strings. */
export interface Gs1Scan {
  readonly kind: 'gs1';
  readonly gtin?: string;
  readonly sscc?: string;
  /** AI 02: the GTIN of the trade items contained in a logistic unit. */
  readonly content?: string;
  readonly lot?: string;
  readonly serial?: string;
  readonly variant?: string;
  readonly expiry?: string;
  readonly bestBefore?: string;
  readonly sellBy?: string;
  readonly productionDate?: string;
  readonly packagingDate?: string;
  readonly count?: string;
  readonly netWeightKg?: string;
  /** Known AIs that fill no field of their own (240, 241, 250, 400, 90-99), by label. */
  readonly additional: Readonly<Record<string, string>>;
  readonly elements: readonly Gs1Element[];
  readonly unknown: readonly UnknownElement[];
}

/** A code that is not a GS1 element string. `gtin` is set only when it is a GTIN with a valid check digit. */
export interface PlainScan {
  readonly kind: 'plain';
  readonly plain: string;
  /** Whether the code has a GTIN's shape (8, 12, 13 or 14 digits). */
  readonly looksLikeGtin: boolean;
  /** The 14-digit GTIN, when the code looks like one and its check digit is right. */
  readonly gtin?: string;
}

/** What a scan reads as. */
export type ScanResult = Gs1Scan | PlainScan;

/**
 * Why an element string cannot be read. `position` is the index in the input as given (once a
 * configured separator text such as "<GS>" has become the one group-separator character).
 */
export type Gs1ErrorCode = 'gs1-empty' | 'gs1-length' | 'gs1-character' | 'gs1-check-digit' | 'gs1-date' | 'gs1-conflict';

/** An element string that cannot be read, naming where. */
export class Gs1Error extends Error {
  // Plain fields, not constructor parameter properties: the web build may allow erasable syntax only.
  readonly code: Gs1ErrorCode;
  readonly position: number;
  readonly ai: string | undefined;

  constructor(code: Gs1ErrorCode, position: number, message: string, ai?: string) {
    super(`${message} (at position ${position})`);
    this.name = 'Gs1Error';
    this.code = code;
    this.position = position;
    this.ai = ai;
  }
}

/** How to read scans. */
export interface ScanOptions {
  /** The current year, for the century of YYMMDD dates (GS1 7.12). Defaults to this year. */
  readonly currentYear?: number;
  /** Extra texts a scanner is configured to send for FNC1 (e.g. "<GS>"); ASCII 29 always counts. */
  readonly separators?: readonly string[];
}

// Symbology identifiers (ISO/IEC 15424) that announce GS1 data: GS1-128, DataBar, GS1 DataMatrix,
// GS1 QR Code, GS1 DotCode; any other identifier is stripped and the rest read as a plain code.
const gs1Symbologies = new Set([']C1', ']e0', ']d2', ']Q3', ']J1']);
const symbologyIdentifier = /^\][A-Za-z][0-9]/;

/**
 * Reads one scan. Throws {@link Gs1Error} when the input is a GS1 element string that breaks the
 * rules (wrong length, bad check digit, impossible date, ...); never throws for a plain code.
 */
export function parseScan(input: string, options: ScanOptions = {}): ScanResult {
  const currentYear = options.currentYear ?? new Date().getFullYear();
  let text = input.replace(/[\r\n]+$/, '');
  for (const separator of options.separators ?? []) if (separator !== '') text = text.split(separator).join(GROUP_SEPARATOR);
  let offset = 0;
  let announced = false;
  if (symbologyIdentifier.test(text)) {
    announced = gs1Symbologies.has(text.slice(0, 3));
    text = text.slice(3);
    offset = 3;
  }
  if (text.startsWith(GROUP_SEPARATOR)) {
    // FNC1 in the first position is itself the mark of a GS1 symbol.
    announced = true;
    text = text.slice(1);
    offset += 1;
  }
  if (text === '') throw new Gs1Error('gs1-empty', offset, 'The scan is empty');
  if (/^\(\d{2,4}\)/.test(text)) return interpret(readParenthesised(text, offset), currentYear);
  if (announced || text.includes(GROUP_SEPARATOR) || looksLikeRawGtinElement(text)) return interpret(readRaw(text, offset), currentYear);
  const shaped = looksLikeGtin(text);
  return { kind: 'plain', plain: text, looksLikeGtin: shaped, ...(shaped && hasValidCheckDigit(text) ? { gtin: toGtin14(text) } : {}) };
}

/**
 * A scanner set up to drop the symbology identifier still sends "01" + a GTIN-14 (+ more elements)
 * for a GS1 symbol; no EAN/UPC is that long, so 16+ characters led by a valid one read as GS1.
 */
function looksLikeRawGtinElement(text: string): boolean {
  return text.length >= 16 && /^01\d{14}/.test(text) && hasValidCheckDigit(text.slice(2, 16));
}

interface Read {
  readonly elements: Gs1Element[];
  readonly unknown: UnknownElement[];
}

/**
 * "(01)09506000134352(10)ABC": each AI's data runs to the next "(nn)". Spaces around the data (as
 * printed under a barcode, "(01) 0950...") and FNC1 characters are dropped.
 */
function readParenthesised(text: string, offset: number): Read {
  const read: Read = { elements: [], unknown: [] };
  // parseScan checked that the text starts with an AI, so the AIs found here tile all of it.
  const starts = [...text.matchAll(/\((\d{2,4})\)/g)];
  for (const [index, match] of starts.entries()) {
    const ai = match[1] ?? '';
    const dataStart = match.index + match[0].length;
    const raw = text.slice(dataStart, starts[index + 1]?.index ?? text.length).split(GROUP_SEPARATOR).join('');
    const data = raw.trim();
    const definition = aiDefinition(ai);
    if (!definition) read.unknown.push({ ai, text: data, position: offset + match.index });
    else read.elements.push(checked(definition, data, offset + match.index, offset + dataStart + raw.length - raw.trimStart().length));
  }
  return read;
}

function readRaw(text: string, offset: number): Read {
  const read: Read = { elements: [], unknown: [] };
  let at = 0;
  while (at < text.length) {
    if (text.charAt(at) === GROUP_SEPARATOR) {
      at += 1;
      continue;
    }
    const definition = aiAt(text, at);
    if (!definition) {
      // Unknown AI: only a predefined element length or the next FNC1 says where it ends.
      const predefined = predefinedElementLength(text.slice(at, at + 2));
      const separator = text.indexOf(GROUP_SEPARATOR, at);
      const end = predefined !== undefined ? Math.min(at + predefined, text.length) : separator === -1 ? text.length : separator;
      read.unknown.push({ text: text.slice(at, end), position: offset + at });
      at = end;
      continue;
    }
    const dataStart = at + definition.ai.length;
    let dataEnd: number;
    if (definition.kind === 'fixed') {
      dataEnd = dataStart + definition.length;
      if (dataEnd > text.length) throw new Gs1Error('gs1-length', offset + at, `AI (${definition.ai}) needs ${definition.length} characters`, definition.ai);
    } else {
      const separator = text.indexOf(GROUP_SEPARATOR, dataStart);
      dataEnd = separator === -1 ? text.length : separator;
    }
    read.elements.push(checked(definition, text.slice(dataStart, dataEnd), offset + at, offset + dataStart));
    at = dataEnd;
  }
  return read;
}

function checked(definition: AiDefinition, data: string, position: number, dataPosition: number): Gs1Element {
  const { ai } = definition;
  if (definition.kind === 'fixed' ? data.length !== definition.length : data.length < 1 || data.length > definition.length) {
    const wanted = definition.kind === 'fixed' ? `exactly ${definition.length}` : `1 to ${definition.length}`;
    throw new Gs1Error('gs1-length', position, `AI (${ai}) takes ${wanted} characters, not ${data.length}`, ai);
  }
  const bad = firstInvalidCharacter(data, definition.charset);
  if (bad !== -1) throw new Gs1Error('gs1-character', dataPosition + bad, `AI (${ai}) does not allow ${JSON.stringify(data.charAt(bad))}`, ai);
  const { type } = definition.meaning;
  if ((type === 'gtin' || type === 'sscc') && !hasValidCheckDigit(data)) {
    throw new Gs1Error('gs1-check-digit', dataPosition + data.length - 1, `AI (${ai}) has a wrong check digit`, ai);
  }
  return { ai, data, position };
}

function interpret(read: Read, currentYear: number): Gs1Scan {
  const fields: Record<string, string> = {};
  const additional: Record<string, string> = {};
  const set = (target: Record<string, string>, key: string, value: string, element: Gs1Element): void => {
    const before = target[key];
    if (before !== undefined && before !== value) throw new Gs1Error('gs1-conflict', element.position, `AI (${element.ai}) appears twice with different data`, element.ai);
    target[key] = value;
  };
  for (const element of read.elements) {
    const meaning = aiDefinition(element.ai)?.meaning;
    if (!meaning) continue;
    switch (meaning.type) {
      case 'gtin':
        set(fields, meaning.field, element.data, element);
        break;
      case 'sscc':
        set(fields, 'sscc', element.data, element);
        break;
      case 'date': {
        const iso = gs1DateToIso(element.data, currentYear);
        if (iso === undefined) throw new Gs1Error('gs1-date', element.position + element.ai.length, `AI (${element.ai}) is not a date: ${element.data}`, element.ai);
        set(fields, meaning.field, iso, element);
        break;
      }
      case 'text':
        set(fields, meaning.field, element.data, element);
        break;
      case 'count':
        set(fields, 'count', element.data.replace(/^0+(?=\d)/, ''), element);
        break;
      case 'net-weight-kg':
        set(fields, 'netWeightKg', impliedDecimal(element.data, meaning.decimals), element);
        break;
      case 'additional':
        set(additional, meaning.label, element.data, element);
        break;
      default: {
        const exhaustive: never = meaning;
        throw new Error(`Unhandled AI meaning ${JSON.stringify(exhaustive)}`);
      }
    }
  }
  return { kind: 'gs1', ...fields, additional, elements: read.elements, unknown: read.unknown };
}

/** "001250" with 3 implied decimals is "1.25": exact, no float arithmetic. */
function impliedDecimal(digits: string, decimals: number): string {
  const whole = digits.slice(0, digits.length - decimals).replace(/^0+(?=\d)/, '') || '0';
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}
