import { assertNever } from '../decider.js';
import type { StockCommand } from './commands.js';
import { adjust, count } from './decide-adjust-count.js';
import { receive, transfer } from './decide-receive-transfer.js';
import { release, reserve } from './decide-reserve-release.js';
import { reverse } from './decide-reverse.js';
import { returnStock, ship } from './decide-ship-return.js';
import type { StockEvent } from './events.js';
import type { StockState } from './state.js';

// One small function per command, grouped by family in decide-*.ts; the shared draft in decision.ts.
/** Decides a stock command against the article's stock; throws a DomainError when refused. */
export function decideStock(command: StockCommand, state: StockState): StockEvent[] {
  switch (command.type) {
    case 'ReceiveStock':
      return receive(command, state);
    case 'TransferStock':
      return transfer(command, state);
    case 'ReserveStock':
      return reserve(command, state);
    case 'ReleaseReservedStock':
      return release(command, state);
    case 'ShipStock':
      return ship(command, state);
    case 'ReturnStock':
      return returnStock(command, state);
    case 'AdjustStock':
      return adjust(command, state);
    case 'CountStock':
      return count(command, state);
    case 'ReverseStockMovement':
      return reverse(command, state);
    default:
      return assertNever(command);
  }
}
