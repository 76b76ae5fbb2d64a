import { assertNever, type Decider } from '../decider.js';
import { ArticleArchived, DuplicateSku, InvalidQuantity, UnknownArticle } from '../errors.js';
import type { Quantity } from '../quantity.js';

/** How units of an article are told apart: not at all, by lot (batch), or one by one by serial. */
export type Tracking = 'none' | 'lot' | 'serial';

/** The master data of an article. */
export interface ArticleDetails {
  readonly sku: string;
  readonly name: string;
  readonly unit: string;
  readonly tracking: Tracking;
  readonly barcode?: string;
  readonly reorderPoint?: Quantity;
  readonly reorderQuantity?: Quantity;
  readonly shelfLifeDays?: number;
}

/** The fields an update may change (tracking and unit are fixed once stock has moved). */
export type ArticleChanges = Partial<Pick<ArticleDetails, 'name' | 'barcode' | 'reorderPoint' | 'reorderQuantity' | 'shelfLifeDays'>>;

export type ArticleCommand =
  | { readonly type: 'RegisterArticle'; readonly data: ArticleDetails }
  | { readonly type: 'UpdateArticle'; readonly data: { readonly sku: string; readonly changes: ArticleChanges } }
  | { readonly type: 'ArchiveArticle'; readonly data: { readonly sku: string } };

export type ArticleEvent =
  | { readonly type: 'ArticleRegistered'; readonly data: ArticleDetails }
  | { readonly type: 'ArticleUpdated'; readonly data: { readonly sku: string; readonly changes: ArticleChanges } }
  | { readonly type: 'ArticleArchived'; readonly data: { readonly sku: string } };

export type ArticleState =
  | { readonly status: 'none' }
  | { readonly status: 'active' | 'archived'; readonly details: ArticleDetails };

const initialState: ArticleState = { status: 'none' };

function checkQuantities(details: Partial<ArticleDetails>): void {
  for (const field of ['reorderPoint', 'reorderQuantity'] as const) {
    const value = details[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new InvalidQuantity(`${field} must be a quantity of at least 0`, undefined, field);
    }
  }
  const days = details.shelfLifeDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1)) {
    throw new InvalidQuantity('shelfLifeDays must be a whole number of days, at least 1', undefined, 'shelfLifeDays');
  }
}

function register(command: Extract<ArticleCommand, { type: 'RegisterArticle' }>, state: ArticleState): ArticleEvent[] {
  if (state.status !== 'none') throw new DuplicateSku(command.data.sku);
  checkQuantities(command.data);
  return [{ type: 'ArticleRegistered', data: command.data }];
}

function update(command: Extract<ArticleCommand, { type: 'UpdateArticle' }>, state: ArticleState): ArticleEvent[] {
  if (state.status === 'none') throw new UnknownArticle(command.data.sku);
  if (state.status === 'archived') throw new ArticleArchived(command.data.sku);
  checkQuantities(command.data.changes);
  const changed = Object.entries(command.data.changes).filter(
    ([field, value]) => value !== undefined && state.details[field as keyof ArticleChanges] !== value,
  );
  if (changed.length === 0) return [];
  return [{ type: 'ArticleUpdated', data: { sku: command.data.sku, changes: Object.fromEntries(changed) as ArticleChanges } }];
}

function archive(command: Extract<ArticleCommand, { type: 'ArchiveArticle' }>, state: ArticleState): ArticleEvent[] {
  if (state.status === 'none') throw new UnknownArticle(command.data.sku);
  if (state.status === 'archived') return [];
  return [{ type: 'ArticleArchived', data: { sku: command.data.sku } }];
}

/** The article decider: registration, master-data updates, archiving. */
export const articleDecider: Decider<ArticleCommand, ArticleEvent, ArticleState> = {
  initialState: () => initialState,
  decide(command, state) {
    switch (command.type) {
      case 'RegisterArticle':
        return register(command, state);
      case 'UpdateArticle':
        return update(command, state);
      case 'ArchiveArticle':
        return archive(command, state);
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ArticleRegistered':
        return { status: 'active', details: event.data };
      case 'ArticleUpdated':
        return state.status === 'none' ? state : { ...state, details: { ...state.details, ...event.data.changes } };
      case 'ArticleArchived':
        return state.status === 'none' ? state : { status: 'archived', details: state.details };
      default:
        return assertNever(event);
    }
  },
};
