import { randomBytes } from 'node:crypto';
import type { ITask } from 'pg-promise';
import type { Database } from '../database/connection.js';
import type { Logger } from '../logger.js';
import { readModelDdl } from './read-model.sql.js';
import * as sql from './schema-pool.sql.js';

/**
 * Spare read schemas, built ahead of need: creating a schema's tables and indexes is most of what
 * a new tenant's registration costs (bench/provisioning), while renaming a ready schema is a
 * catalog update. The pool keeps `size` empty schemas of one projection version, named
 * `rp_<version>_<created, base 36>_<random>` (never a tenant's `rm_` name), and a new tenant's
 * live schema is one of them renamed inside the registering transaction: a rollback or a crash
 * before commit undoes the rename and the spare is a spare again. Every process's pool shares
 * the spares: a claim holds the spare's advisory lock, so no spare goes to two tenants. Spares
 * are not registered: nothing reads them until one is renamed and registered as a tenant's.
 */
export class SchemaPool {
  readonly size: number;
  /**
   * How long after a claim the refill starts: building a spare takes ~10 ms of a core, and during
   * a registration argon2id has one of them and the registering transaction the other.
   */
  private readonly refillDelayMs: number;
  private readonly ddl: (schema: string) => string;
  private readonly logger: Logger | undefined;
  private filling: Promise<void> | undefined;
  private refillTimer: NodeJS.Timeout | undefined;
  /** Refilled in the background only between start() and stop(): a command-line process never leaves a fill behind. */
  private running = false;
  private stopping = false;

  constructor(
    private readonly db: Database,
    readonly version: string,
    options: { size?: number; ddl?: (schema: string) => string; logger?: Logger; refillDelayMs?: number } = {},
  ) {
    this.size = options.size ?? 2;
    this.refillDelayMs = options.refillDelayMs ?? 100;
    this.ddl = options.ddl ?? readModelDdl;
    this.logger = options.logger;
  }

  /**
   * Renames a spare to `schema` in the caller's transaction `t` and returns true; false when there
   * is none free (the caller builds the schema itself). The spare's lock is held until `t` ends,
   * so another claim skips it; a refill starts in the background once the claim has likely committed.
   */
  async claim(t: ITask<unknown>, schema: string): Promise<boolean> {
    if (this.size === 0) return false;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const spare = (await t.oneOrNone<{ name: string }>(sql.lockOneSpare(), [this.pattern(), spareLockSpace]))?.name;
      if (spare === undefined) break;
      // Locked just after another claim of it committed: it is someone's schema now; try another.
      if (!(await t.one<{ exists: boolean }>(sql.selectSchemaExists(), [spare])).exists) continue;
      await t.none(sql.renameSchema(), [spare, schema]);
      this.refillSoon();
      return true;
    }
    this.refillSoon();
    return false;
  }

  /** Builds spares until `size` are free (no claim holding them); resolves when done. One fill at a time per pool. */
  async fill(): Promise<void> {
    this.filling ??= this.fillUntilFull().finally(() => {
      this.filling = undefined;
    });
    await this.filling;
  }

  /**
   * Refills in the background from now on, starting now, and drops other versions' spares left
   * for over an hour (a finished deploy's).
   */
  start(): void {
    this.running = true;
    this.stopping = false;
    this.dropSpares({ olderThanMs: 60 * 60_000 })
      .then((dropped) => dropped.length > 0 && this.logger?.info({ dropped }, "dropped other versions' spare read schemas"))
      .catch((error: unknown) => this.logger?.warn({ err: error }, "could not drop other versions' spare read schemas"));
    this.refill();
  }

  /** Starts a fill in the background once started; a failure is logged and the next claim tries again. */
  refill(): void {
    if (!this.running || this.size === 0) return;
    this.fill().catch((error: unknown) => this.logger?.warn({ err: error }, 'could not build a spare read schema; the next registration builds its own'));
  }

  private refillSoon(): void {
    if (!this.running || this.refillTimer !== undefined) return;
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.refill();
    }, this.refillDelayMs);
    this.refillTimer.unref();
  }

  /**
   * Builds one spare (tables, indexes and checkpoint, in one transaction) and returns its name.
   * Its commit does not wait for the WAL flush: a crash loses the spare whole or not at all, and
   * the pool builds another.
   */
  async buildOne(): Promise<string> {
    const name = `rp_${this.version}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    await this.db.tx('build-spare-read-schema', async (t) => {
      await t.none(sql.asynchronousCommit());
      await t.none(this.ddl(name));
    });
    return name;
  }

  /**
   * Drops the spares of other versions built more than `olderThanMs` ago (a finished deploy's; a
   * process of that version still running builds new ones), and with `everyVersion` this
   * version's too. A spare being claimed is skipped.
   */
  async dropSpares(options: { everyVersion?: boolean; olderThanMs?: number } = {}): Promise<string[]> {
    const names = (await this.db.any<{ name: string }>(sql.selectSpareNames(), ['rp\\_%'])).map((row) => row.name);
    const dropped: string[] = [];
    for (const name of names) {
      const [, version, created] = /^rp_([a-z0-9]+)_([a-z0-9]+)_[0-9a-f]+$/.exec(name) ?? [];
      if (version === undefined || created === undefined) continue;
      const ours = version === this.version;
      if (ours && !options.everyVersion) continue;
      if (!ours && Date.now() - parseInt(created, 36) < (options.olderThanMs ?? 0)) continue;
      const done = await this.db.tx('drop-spare-read-schema', async (t) => {
        if (!(await t.one<{ locked: boolean }>(sql.tryLockSpare(), [name, spareLockSpace])).locked) return false;
        await t.none(sql.dropSpare(), [name]);
        return true;
      });
      if (done) dropped.push(name);
    }
    return dropped;
  }

  /** Stops refilling and waits for a fill under way. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    clearTimeout(this.refillTimer);
    this.refillTimer = undefined;
    await this.filling?.catch(() => undefined);
  }

  private async fillUntilFull(): Promise<void> {
    while (!this.stopping) {
      const { free } = await this.db.one<{ free: number }>(sql.countFreeSpares(), [this.pattern(), spareLockSpace]);
      if (free >= this.size) return;
      await this.buildOne();
    }
  }

  /** The LIKE pattern of this version's spares (the version is [a-z0-9], see schema-name.ts). */
  private pattern(): string {
    return `rp\\_${this.version}\\_%`;
  }
}

/** The first key of the two-part advisory locks on spares ('SPAR'). */
const spareLockSpace = 0x53504152;
