/**
 * One `Idempotency-Key` per form submission (API.md: the same key and body within 24 h records
 * nothing new). The key is reused while the fate of an attempt is unknown, so a double click or a
 * retry after flaky Wi-Fi records the movement once; it is replaced once the service has
 * answered, so submitting the same form again on purpose records a second movement.
 */

/** How an attempt ended, as the API client saw it. */
export type AttemptOutcome =
  /** No answer: the request may or may not have been recorded. */
  | { readonly kind: 'network-error' }
  /** The service answered with this status (and problem code, for an error). */
  | { readonly kind: 'answer'; readonly status: number; readonly code?: string };

/**
 * Answers that do not settle the submission, so a retry must carry the same key: the first
 * attempt is still running (409 idempotency-in-progress), or the answer came from a proxy or a
 * service that could not say whether it recorded anything (408, 429, 502, 503, 504).
 */
function keepsKey(outcome: AttemptOutcome): boolean {
  if (outcome.kind === 'network-error') return true;
  if (outcome.status === 409) return outcome.code === 'idempotency-in-progress';
  return [408, 429, 502, 503, 504].includes(outcome.status);
}

/** The key holder of one form. */
export interface IdempotencyKeys {
  /**
   * The key for submitting `body`: the held key when the last attempt of the same body is
   * unsettled, else a new one. A changed body always gets a new key (the same key with another
   * body would be refused as 409 idempotency-mismatch).
   */
  keyFor(body: unknown): string;
  /** Records how the attempt with the held key ended. */
  settle(outcome: AttemptOutcome): void;
}

/** Makes a key holder; `newKey` is `() => crypto.randomUUID()` in the browser, a counter in tests. */
export function createIdempotencyKeys(newKey: () => string): IdempotencyKeys {
  let held: { key: string; body: string } | undefined;
  return {
    keyFor(body) {
      const fingerprint = stableJson(body);
      if (!held || held.body !== fingerprint) held = { key: newKey(), body: fingerprint };
      return held.key;
    },
    settle(outcome) {
      if (!keepsKey(outcome)) held = undefined;
    },
  };
}

/**
 * JSON with object keys sorted, so two bodies that are the same data give the same text whatever
 * order their fields were set in. Undefined fields are left out, as JSON.stringify does.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
