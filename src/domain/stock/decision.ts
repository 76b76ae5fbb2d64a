import type { StockCommand } from './commands.js';
import { draftOf } from './draft.js';
import type { StockEvent } from './events.js';
import { evolveStock, type StockState } from './state.js';

/** The stock command of one type, as the decide function for that type takes it. */
export type CommandOf<T extends StockCommand['type']> = Extract<StockCommand, { type: T }>;

/** Records events on a draft as they are decided, so each line is checked against the lines before it. */
export class Decision {
  readonly events: StockEvent[] = [];
  readonly draft: StockState;
  readonly serials = new Set<string>();
  constructor(state: StockState) {
    this.draft = draftOf(state);
  }
  record(event: StockEvent): void {
    evolveStock(this.draft, event);
    this.events.push(event);
  }
}
