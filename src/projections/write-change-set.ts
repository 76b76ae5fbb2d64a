import type { ITask } from 'pg-promise';
import { pgp } from '../database/connection.js';
import type { ChangeSet } from './change-set.js';

/**
 * Writes a change set into a read schema, inside the caller's transaction: each read model in
 * turn (read-models/), catalog events in order in one round trip, then one statement per table
 * for the bulk of stock changes, each with its rows as array parameters (unnest).
 */
export async function writeChangeSet(t: ITask<unknown>, schema: string, changes: ChangeSet): Promise<void> {
  await changes.write(t, pgp.as.name(schema));
}
