import type { EventType } from './schemas.js';

/**
 * Schema versions and the steps that bring older stored events up to date. Stored events are
 * never rewritten: an event is upcast each time it is read. A change to an event's shape bumps
 * its version here and adds the step from the previous version.
 */

/** The version each event type is written with now (1 unless listed). */
export const currentVersions: Partial<Record<EventType, number>> = {
  StockReceived: 2,
};

type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** upcasters[type][v] turns data of version v into version v + 1. */
const upcasters: Partial<Record<EventType, Record<number, Upcaster>>> = {
  StockReceived: {
    // Version 1 named the receiving location `location`, gave the quantity as a decimal number of
    // units and had no line number; version 2 says `to` (like every other move), stores exact
    // thousandths and numbers the line within its movement.
    1: ({ location, quantity, line, ...rest }) => ({
      ...rest,
      to: location,
      quantity: Math.round(Number(quantity) * 1000),
      line: line ?? 0,
    }),
  },
};

/** The version an event type is written with now. */
export function currentVersion(type: string): number {
  return currentVersions[type as EventType] ?? 1;
}

/** Brings event data from `version` up to the current version of its type. */
export function upcast(type: string, version: number, data: Record<string, unknown>): Record<string, unknown> {
  let current = data;
  const steps = upcasters[type as EventType] ?? {};
  for (let at = version; at < currentVersion(type); at += 1) {
    const step = steps[at];
    if (!step) throw new Error(`no upcaster for ${type} from version ${at}`);
    current = step(current);
  }
  return current;
}
