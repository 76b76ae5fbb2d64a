import { randomUUID } from 'node:crypto';
import type { Actor } from '../../tenancy/user-administration.js';

/** Who stockctl's operator acts as in audit events: `stockctl` from the command line, with a fresh correlation id. */
export function operatorActor(tenant: string, now: Date = new Date()): Actor {
  return {
    metadata: { tenant, user: 'stockctl', source: 'cli', correlationId: randomUUID(), occurredAt: now.toISOString() },
    kind: 'token',
    credentialId: 'stockctl',
  };
}
