/** SQL of append notifications, as text. */

/** The NOTIFY channel that writers signal after commit, with the tenant slug as payload. */
export const notifyChannel = 'es_events';

/** $1 the tenants that have new events: one NOTIFY each, in one statement. */
export function notifySql(): string {
  return `select pg_notify('${notifyChannel}', tenant) from unnest($1::text[]) as tenant`;
}

/** $1 the channel, as a name. */
export function listenSql(): string {
  return 'LISTEN $1:name';
}
