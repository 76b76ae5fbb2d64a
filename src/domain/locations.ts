/** The places outside the warehouse. Every movement takes stock from one location to another. */
export const virtualLocations = ['@supplier', '@customer', '@loss', '@count'] as const;

/** One of the virtual locations. */
export type VirtualLocation = (typeof virtualLocations)[number];

/** Whether a code names a virtual location. */
export function isVirtualLocation(code: string): code is VirtualLocation {
  return (virtualLocations as readonly string[]).includes(code);
}

/** What a stock decision needs to know about a real location named by a command. */
export interface LocationFacts {
  readonly exists: boolean;
  readonly blocked: boolean;
}
