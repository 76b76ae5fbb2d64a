/**
 * The six line-based movement forms (Count has its own screen): which API path each posts to,
 * which fields a line has, what the whole form asks, and how the typed text becomes the body.
 */
import { parseQuantityInput } from '../lib/quantity-input.js';
import { toApiNumber, type QuantitySign } from '../lib/quantity.js';
import { serialList, type LineDraft, type LocationField } from './lines.js';

/** A field of a line: the draft's key, what users see, and the API's name for it (error paths). */
export interface LineField {
  readonly key: Exclude<keyof LineDraft, 'id'>;
  readonly label: string;
  readonly api: string;
  readonly required?: boolean;
}

/** A field of the whole form. */
export interface HeaderField {
  readonly key: 'reference' | 'reason' | 'note' | 'location';
  readonly label: string;
  readonly required?: boolean;
  /** For a select: the API's codes. */
  readonly options?: readonly string[];
}

/** One movement form. */
export interface MovementKind {
  readonly title: 'Receive' | 'Transfer' | 'Reserve' | 'Ship' | 'Return' | 'Adjust';
  readonly path: string;
  readonly intro: string;
  readonly lineFields: readonly LineField[];
  readonly header: readonly HeaderField[];
  readonly quantitySign: QuantitySign;
  /** Where a scanned location code goes. */
  readonly scanLocation: LocationField;
  /** The location whose new figure is shown after success (none for a reservation without one). */
  readonly figureAt: LocationField;
}

const sku: LineField = { key: 'sku', label: 'SKU', api: 'sku', required: true };
const quantity: LineField = { key: 'quantity', label: 'Quantity', api: 'quantity', required: true };
const lot: LineField = { key: 'lot', label: 'Lot', api: 'lot' };
const serials: LineField = { key: 'serials', label: 'Serials', api: 'serials' };
const reference: HeaderField = { key: 'reference', label: 'Reference' };

/** The forms by title, in menu order. */
export const movementKinds = {
  receive: {
    title: 'Receive',
    path: '/api/stock/receipts',
    intro: 'Goods in from a supplier.',
    lineFields: [sku, { key: 'location', label: 'Location', api: 'location', required: true }, quantity, lot, { key: 'expiresOn', label: 'Expiry', api: 'expiresOn' }, serials],
    header: [reference],
    quantitySign: 'positive',
    scanLocation: 'location',
    figureAt: 'location',
  },
  transfer: {
    title: 'Transfer',
    path: '/api/stock/transfers',
    intro: 'Put-away and any move between locations: scan the location, then the items; the form stays open for more.',
    lineFields: [sku, { key: 'from', label: 'From', api: 'from', required: true }, { key: 'to', label: 'To', api: 'to', required: true }, quantity, lot, serials],
    header: [reference],
    quantitySign: 'positive',
    scanLocation: 'to',
    figureAt: 'to',
  },
  reserve: {
    title: 'Reserve',
    path: '/api/stock/reservations',
    intro: 'Set available stock aside for an order.',
    lineFields: [sku, { key: 'location', label: 'Location', api: 'location' }, quantity],
    header: [{ key: 'reference', label: 'Reference', required: true }],
    quantitySign: 'positive',
    scanLocation: 'location',
    figureAt: 'location',
  },
  ship: {
    title: 'Ship',
    path: '/api/stock/shipments',
    intro: 'Goods out to a customer; the reservation of the same reference is used first.',
    lineFields: [sku, { key: 'from', label: 'From', api: 'from', required: true }, quantity, lot, serials],
    header: [reference],
    quantitySign: 'positive',
    scanLocation: 'from',
    figureAt: 'from',
  },
  return: {
    title: 'Return',
    path: '/api/stock/returns',
    intro: 'Goods back from a customer.',
    lineFields: [sku, { key: 'to', label: 'To', api: 'to', required: true }, quantity, lot, serials],
    header: [reference, { key: 'reason', label: 'Reason', required: true, options: ['damaged', 'wrong-item', 'unwanted', 'other'] }],
    quantitySign: 'positive',
    scanLocation: 'to',
    figureAt: 'to',
  },
  adjust: {
    title: 'Adjust',
    path: '/api/stock/adjustments',
    intro: 'Correct stock found, lost or damaged: a negative quantity takes stock away.',
    lineFields: [sku, { key: 'location', label: 'Location', api: 'location', required: true }, { key: 'quantity', label: 'Quantity', api: 'delta', required: true }, lot],
    header: [{ key: 'reason', label: 'Reason', required: true, options: ['damaged', 'lost', 'found', 'expired', 'correction'] }, { key: 'note', label: 'Note' }],
    quantitySign: 'any',
    scanLocation: 'location',
    figureAt: 'location',
  },
} as const satisfies Record<string, MovementKind>;

/** A field the user must correct before anything is sent, by line and draft key. */
export class DraftError extends Error {
  readonly errors: ReadonlyMap<number, ReadonlyMap<string, string>>;
  constructor(errors: ReadonlyMap<number, ReadonlyMap<string, string>>) {
    super('Some lines need a correction.');
    this.name = 'DraftError';
    this.errors = errors;
  }
}

/**
 * The request body of a form: the header's non-empty fields (a missing required one is refused
 * at line -1, the whole form) and each line's fields of the kind,
 * quantities read in the user's locale and sent as exact JSON numbers. Throws DraftError with
 * every line field that is missing or not a quantity.
 */
export function movementBody(kind: Pick<MovementKind, 'header' | 'lineFields' | 'quantitySign'>, header: Readonly<Record<string, string>>, lines: readonly LineDraft[], locale: string | undefined): Record<string, unknown> {
  const errors = new Map<number, Map<string, string>>();
  const refuse = (line: number, field: string, message: string): void => {
    const known = errors.get(line) ?? new Map<string, string>();
    known.set(field, message);
    errors.set(line, known);
  };
  const body: Record<string, unknown> = {};
  for (const field of kind.header) {
    const value = (header[field.key] ?? '').trim();
    if (value !== '') body[field.key] = value;
    else if (field.required) refuse(-1, field.key, `${field.label} is required`);
  }
  body.lines = lines.map((line, index) => {
    const out: Record<string, unknown> = {};
    for (const field of kind.lineFields) {
      const text = line[field.key].trim();
      if (text === '') {
        if (field.required) refuse(index, field.key, `${field.label} is required`);
        continue;
      }
      if (field.key === 'quantity') {
        try {
          out[field.api] = toApiNumber(parseQuantityInput(text, locale, kind.quantitySign), kind.quantitySign);
        } catch (error) {
          refuse(index, field.key, error instanceof Error ? error.message : 'Not a quantity');
        }
      } else if (field.key === 'serials') out.serials = serialList(text);
      else out[field.api] = text;
    }
    return out;
  });
  if (errors.size > 0) throw new DraftError(errors);
  return body;
}

/** The draft key of a line field the API named (`delta` is the Quantity of Adjust). */
export function draftKeyOf(kind: { readonly lineFields: readonly LineField[] }, apiField: string): string {
  return kind.lineFields.find((field) => field.api === apiField)?.key ?? apiField;
}
