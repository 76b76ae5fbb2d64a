#!/usr/bin/env node
// stockctl: the operator and auditor command line of StockControl (README: stockctl).
import { stockctlCommands } from './stockctl/registry.js';
import { runStockctl } from './stockctl/run.js';

// process.exit, not exitCode: a pool or timer left open would otherwise keep the process alive.
process.exit(await runStockctl(stockctlCommands, process.argv.slice(2)));
