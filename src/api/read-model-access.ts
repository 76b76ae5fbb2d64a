import { comparePositions, type Position } from '../eventstore/event-store.js';
import { ReadModelNotReady } from '../projections/queries.js';
import { ReadSchemaGone, type ReadSchemas } from '../projections/read-schemas.js';
import { servedSchema } from '../projections/served-schema.js';

/**
 * Which read schema a tenant's queries read (the live one if it is of this process's version; for
 * two versions side by side see served-schema.ts), and how far it has applied the tenant's events. The
 * schema's name is cached for a second (a switch leaves the old schema in place for the GC's
 * grace period, so a query that reads it a moment after the switch still gets a consistent
 * answer). The checkpoint is read at most every 100 ms per schema: X-Position is the last one read,
 * a lower bound of what the answer contains (the data is read after it, and checkpoints only grow).
 * A wait for X-Min-Position above the last one read always reads the checkpoint again.
 */
export class ReadModelAccess {
  private readonly live = new Map<string, { schema: string; until: number }>();
  /** The last checkpoint read of each schema: a lower bound of what it has applied (checkpoints only grow). */
  private readonly applied = new Map<string, { position: Position; readAt: number }>();

  constructor(
    private readonly schemas: ReadSchemas,
    private readonly cacheMs = 1000,
    private readonly checkpointMs = 100,
  ) {}

  /**
   * The tenant's live schema and its position, once that position is at least `minPosition`
   * (X-Min-Position): waits up to `timeoutMs`, then throws ReadModelNotReady (503 not-ready).
   */
  async at(tenant: string, minPosition?: Position, timeoutMs = 5000): Promise<{ schema: string; position: Position }> {
    const deadline = Date.now() + timeoutMs;
    let delay = 2;
    let refreshed = false;
    for (;;) {
      const schema = await this.liveSchema(tenant);
      const known = this.applied.get(schema);
      if (known && Date.now() - known.readAt < this.checkpointMs && (minPosition === undefined || comparePositions(known.position, minPosition) >= 0)) {
        return { schema, position: known.position };
      }
      let position: Position;
      try {
        position = await this.schemas.checkpoint(schema);
        this.applied.set(schema, { position, readAt: Date.now() });
      } catch (error) {
        // The cached schema was switched away from and dropped: look it up again (once; a live
        // pointer to a missing schema is a fault, answered 503 rather than spun on).
        if (!(error instanceof ReadSchemaGone) || refreshed) throw error;
        refreshed = true;
        this.live.delete(tenant);
        continue;
      }
      if (minPosition === undefined || comparePositions(position, minPosition) >= 0) return { schema, position };
      if (Date.now() >= deadline) throw new ReadModelNotReady(minPosition, position);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
  }

  private async liveSchema(tenant: string): Promise<string> {
    const cached = this.live.get(tenant);
    if (cached && cached.until > Date.now()) return cached.schema;
    // Of this process's version only (served-schema.ts): ReadSchemaNotReady, 503, until there is one.
    const schema = await servedSchema(this.schemas, tenant);
    this.live.set(tenant, { schema, until: Date.now() + this.cacheMs });
    return schema;
  }
}
