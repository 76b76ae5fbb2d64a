/**
 * Read-your-writes for the dashboard. Every command answers with `X-Position: <token>` and every
 * query accepts `X-Min-Position: <token>` (API.md). A token is opaque to callers but, as src/api
 * checks it, a decimal number of up to 20 digits: two tokens compare as numbers, never as text
 * ("10" is after "9").
 */

const tokenPattern = /^\d{1,20}$/;

/** Whether `value` is a position token the API accepts in X-Min-Position. */
export function isPositionToken(value: string): boolean {
  return tokenPattern.test(value);
}

/** Orders two tokens: negative when a comes first, 0 when they are the same position, positive when b does. */
export function comparePositions(a: string, b: string): number {
  if (!isPositionToken(a) || !isPositionToken(b)) throw new RangeError(`Not a position token: ${JSON.stringify(isPositionToken(a) ? b : a)}`);
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** The later of two tokens (either when they are equal). */
export function laterPosition(a: string, b: string): string {
  return comparePositions(a, b) >= 0 ? a : b;
}

/** The highest position seen so far; reads send it so they never show less than was written. */
export interface PositionTracker {
  /** Takes an X-Position header value; a missing or malformed one is ignored. Returns the max now held. */
  observe(token: string | null | undefined): string | undefined;
  /** The highest token seen, if any. */
  readonly current: string | undefined;
  /** Headers for the next read: `{ 'X-Min-Position': max }`, or none before the first write. */
  headers(): Record<string, string>;
}

/** Makes a {@link PositionTracker}, optionally starting from a known token (e.g. kept in sessionStorage). */
export function createPositionTracker(start?: string): PositionTracker {
  let max = start !== undefined && isPositionToken(start) ? start : undefined;
  return {
    observe(token) {
      if (token !== null && token !== undefined && isPositionToken(token.trim())) {
        max = max === undefined ? token.trim() : laterPosition(max, token.trim());
      }
      return max;
    },
    get current() {
      return max;
    },
    headers(): Record<string, string> {
      return max === undefined ? {} : { 'X-Min-Position': max };
    },
  };
}
