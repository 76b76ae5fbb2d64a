/**
 * Why a switch of a tenant's live read schema (ReadSchemas.switchTo) did not happen, when nothing
 * is wrong with the events: the old schema stays live and nothing of the switch is committed.
 */

/**
 * The tenant is served by a newer projection version than this build's (its first schema was
 * registered later): making a schema of this version live would switch the tenant back to the
 * older read model, under the newer processes of a deploy. Refused unless the caller says
 * `force` (stockctl's `--force`); the API answers 409 `older-version`.
 */
export class OlderVersionRefused extends Error {
  readonly code = 'older-version';
  constructor(
    readonly tenant: string,
    readonly version: string,
    readonly liveVersion: string,
  ) {
    super(`tenant ${tenant} is served by read-model version ${liveVersion}, newer than this build's ${version}: a switch would take it back to the older read model`);
    this.name = 'OlderVersionRefused';
  }
}

/**
 * A switch stayed within its bounds and did not get there: the schema kept falling more than a
 * switch may apply behind, or the tenant's locks were not had in time. The switch's transaction
 * holds back every tenant's event readers (the store reads below the oldest running writer), so
 * it never runs long; the caller tries again later (the daemon on its next scan, a rebuild after a
 * pause) and the old schema serves meanwhile.
 */
export class SwitchDeferred extends Error {
  readonly code = 'switch-deferred';
  constructor(
    readonly tenant: string,
    readonly schema: string,
    reason: string,
    options?: { cause: unknown },
  ) {
    super(`read schema ${schema} of tenant ${tenant} was not made live: ${reason}; the old schema stays live, try again later`, options);
    this.name = 'SwitchDeferred';
  }
}
