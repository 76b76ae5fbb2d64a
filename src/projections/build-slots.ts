/**
 * A bound on how many tenants' schemas one projector daemon builds or catches up at once. A
 * daemon that starts beside hundreds of tenants (a deploy of a new version) would otherwise start
 * every tenant's build together and hold every connection of the process's pool, so the API
 * requests of that process waited for a connection and were answered 503 `unavailable`
 * (bench/schema-change, 100 tenants, pool of 10). Following a tenant once built is not bounded.
 */
export class BuildSlots {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`not a number of build slots: ${size}`);
  }

  /** Runs `work` once a slot is free, and frees it when `work` settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
