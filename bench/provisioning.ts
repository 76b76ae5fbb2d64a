/**
 * The provisioning benchmark (issue 15): the fixed cost of giving a tenant a read schema when it
 * has no events (through ReadSchemas and as bare SQL, one and 4 at a time), a company's
 * registration over HTTP, against argon2id alone, the registration's one deliberate cost, and
 * what an idle service costs the database per second with 100 and 1,000 tenants.
 */
import type { BenchContext, BenchReport, Benchmark } from './benchmark.js';
import { fixedCostMarkdown, measureFixedCost } from './provisioning/fixed-cost.js';
import { idleServiceMarkdown, measureIdleService } from './provisioning/idle-service.js';
import { measureRegistration, registrationMarkdown } from './provisioning/registration.js';

async function run(context: BenchContext): Promise<BenchReport> {
  // Registration first: its service's projector daemon would otherwise follow the fixed-cost part's tenants.
  const registration = await measureRegistration(context);
  const fixedCost = await measureFixedCost(context);
  const idle = await measureIdleService(context);
  return {
    markdown: [
      'This VM is shared: 2 cores with other engineers\' builds, test runs and browsers while this ran (the load averages above). ' +
        'Wall times, argon2id\'s alone included, grow with that load; CPU time per operation much less, so the CPU columns are the figures to compare across runs.',
      '',
      '### Fixed cost per tenant',
      '',
      fixedCostMarkdown(fixedCost),
      '',
      '### Company registration',
      '',
      registrationMarkdown(registration),
      '',
      '### An idle service',
      '',
      idleServiceMarkdown(idle),
    ].join('\n'),
  };
}

/** `npm run bench -- provisioning`. */
export const provisioningBenchmark: Benchmark = { name: 'provisioning', title: 'Provisioning: a new tenant\'s read schema and registration', run };
