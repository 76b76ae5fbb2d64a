import type { Decider } from '../decider.js';
import type { StockCommand } from './commands.js';
import { decideStock } from './decide.js';
import type { StockEvent } from './events.js';
import { evolveStock, initialStockState, type StockState } from './state.js';

/** The stock decider of one article: every movement kind, every invariant of DESIGN.md. */
export const stockDecider: Decider<StockCommand, StockEvent, StockState> = {
  initialState: initialStockState,
  evolve: evolveStock,
  decide: decideStock,
};
