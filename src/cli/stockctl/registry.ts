import type { CommandGroup } from './command.js';
import { demoCommand } from './commands/demo.js';
import { eventsCommand } from './commands/events.js';
import { movementsCommand } from './commands/movements.js';
import { projectionsCommand } from './commands/projections.js';
import { tenantsCommand } from './commands/tenants.js';
import { tokensCommand } from './commands/tokens.js';
import { usersCommand } from './commands/users.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { verifyAuditCommand } from './commands/verify-audit.js';
import { sealCommand, sealsCommand } from './commands/seal.js';
import { stockCommand } from './commands/stock.js';
import { replayCommand } from './commands/replay.js';

/**
 * Every stockctl command. Adding one is a module under commands/ exporting a CommandGroup or a
 * leaf(...), and one line here; help, typo suggestions, modes and exit codes come with it.
 */
export const stockctlCommands: CommandGroup = {
  name: 'stockctl',
  summary: 'StockControl for operators and auditors',
  subcommands: [tenantsCommand, usersCommand, tokensCommand, eventsCommand, movementsCommand, projectionsCommand, demoCommand,
    exportCommand, importCommand, verifyAuditCommand, sealCommand, sealsCommand, stockCommand, replayCommand],
};
