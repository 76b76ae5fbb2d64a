/**
 * Expected refusals of the domain. Each has a stable `code` (API.md) that src/api maps to an HTTP
 * status; `line` is the index of the command line at fault, when there is one.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly line?: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A line would take more than is available at its source (or reserve more than is available). */
export class InsufficientStock extends DomainError {
  readonly code = 'insufficient-stock';
  constructor(
    readonly sku: string,
    readonly location: string | null,
    readonly lot: string | null,
    readonly requested: number,
    readonly available: number,
    line?: number,
  ) {
    super(`insufficient stock of ${sku} at ${location ?? 'any location'}${lot ? ` (lot ${lot})` : ''}: requested ${requested}, available ${available}`, line);
  }
}

export class UnknownArticle extends DomainError {
  readonly code = 'unknown-article';
  constructor(
    readonly sku: string,
    line?: number,
  ) {
    super(`unknown article ${sku}`, line, 'sku');
  }
}

export class DuplicateSku extends DomainError {
  readonly code = 'duplicate-sku';
  constructor(readonly sku: string) {
    super(`an article with SKU ${sku} already exists`, undefined, 'sku');
  }
}

export class ArticleArchived extends DomainError {
  readonly code = 'article-archived';
  constructor(
    readonly sku: string,
    line?: number,
  ) {
    super(`article ${sku} is archived`, line, 'sku');
  }
}

export class UnknownLocation extends DomainError {
  readonly code = 'unknown-location';
  constructor(
    readonly location: string,
    line?: number,
    field?: string,
  ) {
    super(`unknown location ${location}`, line, field);
  }
}

export class DuplicateLocation extends DomainError {
  readonly code = 'duplicate-location';
  constructor(readonly location: string) {
    super(`a location with code ${location} already exists`, undefined, 'code');
  }
}

export class InvalidParentLocation extends DomainError {
  readonly code = 'invalid-parent';
  constructor(message: string) {
    super(message, undefined, 'parent');
  }
}

export class LocationBlocked extends DomainError {
  readonly code = 'location-blocked';
  constructor(
    readonly location: string,
    line?: number,
    field?: string,
  ) {
    super(`location ${location} is blocked: it takes no stock in and gives none out`, line, field);
  }
}

export class VirtualLocationNotAllowed extends DomainError {
  readonly code = 'virtual-location';
  constructor(
    readonly location: string,
    line?: number,
    field?: string,
  ) {
    super(`${location} is a virtual location; movements name only real locations`, line, field);
  }
}

export class LotRequired extends DomainError {
  readonly code = 'lot-required';
  constructor(
    readonly sku: string,
    line?: number,
  ) {
    super(`article ${sku} is lot-tracked: every movement needs a lot`, line, 'lot');
  }
}

export class LotNotTracked extends DomainError {
  readonly code = 'lot-not-tracked';
  constructor(
    readonly sku: string,
    line?: number,
  ) {
    super(`article ${sku} is not lot-tracked: a movement of it takes no lot`, line, 'lot');
  }
}

export class LotExpiryMismatch extends DomainError {
  readonly code = 'lot-expiry-mismatch';
  constructor(
    readonly sku: string,
    readonly lot: string,
    readonly expiresOn: string | null,
    line?: number,
  ) {
    super(`lot ${lot} of ${sku} was received with expiry ${expiresOn ?? 'none'}; a lot has one expiry date`, line, 'expiresOn');
  }
}

export class LotExpired extends DomainError {
  readonly code = 'lot-expired';
  constructor(
    readonly sku: string,
    readonly lot: string,
    readonly expiresOn: string,
    line?: number,
  ) {
    super(`lot ${lot} of ${sku} expired on ${expiresOn}; set allowExpired to ship it anyway`, line, 'lot');
  }
}

export class SerialsMismatch extends DomainError {
  readonly code = 'serials-mismatch';
  constructor(message: string, line?: number) {
    super(message, line, 'serials');
  }
}

export class DuplicateSerial extends DomainError {
  readonly code = 'duplicate-serial';
  constructor(
    readonly sku: string,
    readonly serial: string,
    line?: number,
  ) {
    super(`serial ${serial} of ${sku} was already received`, line, 'serials');
  }
}

export class SerialNotAtLocation extends DomainError {
  readonly code = 'serial-not-at-location';
  constructor(
    readonly sku: string,
    readonly serial: string,
    readonly location: string,
    line?: number,
  ) {
    super(`serial ${serial} of ${sku} is not at ${location}`, line, 'serials');
  }
}

export class InvalidQuantity extends DomainError {
  readonly code = 'invalid-quantity';
  constructor(message: string, line?: number, field = 'quantity') {
    super(message, line, field);
  }
}

export class UnknownReservation extends DomainError {
  readonly code = 'unknown-reservation';
  constructor(readonly reference: string) {
    super(`no open reservation with reference ${reference}`);
  }
}

export class UnknownMovement extends DomainError {
  readonly code = 'unknown-movement';
  constructor(readonly movementId: string) {
    super(`unknown movement ${movementId}`);
  }
}

export class MovementNotReversible extends DomainError {
  readonly code = 'not-reversible';
  constructor(
    readonly movementId: string,
    reason: string,
  ) {
    super(`movement ${movementId} cannot be reversed: ${reason}`);
  }
}

export class InvalidMovement extends DomainError {
  readonly code = 'invalid-movement';
  constructor(message: string, line?: number, field?: string) {
    super(message, line, field);
  }
}
