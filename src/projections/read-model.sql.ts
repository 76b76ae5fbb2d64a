import { pgp } from '../database/connection.js';

/**
 * The tables of a tenant's read schema. Changing any of this text changes the projection-set
 * version (version.ts), so a new schema is built beside the live one: nothing here is ever
 * applied to an existing schema. Quantities are integer thousandths, as in the events.
 */
export function readModelDdl(schema: string): string {
  return `${readModelTablesDdl(schema)}\n${readModelIndexDdl(schema)}`;
}

/**
 * The tables with their primary keys and the small tables' indexes: what a schema is created
 * with. A schema built from position zero gets the ledger's indexes only once it is filled
 * (readModelIndexDdl): one sorted index build instead of a million index insertions.
 */
export function readModelTablesDdl(schema: string): string {
  const s = pgp.as.name(schema);
  return `
create schema ${s};

create table ${s}.articles (
  sku text primary key,
  name text not null,
  unit text not null,
  tracking text not null,
  barcode text,
  reorder_point bigint,
  reorder_quantity bigint,
  shelf_life_days int,
  archived boolean not null default false
);
create index on ${s}.articles (barcode) where barcode is not null;

create table ${s}.locations (
  code text primary key,
  name text,
  parent text,
  type text not null,
  blocked boolean not null default false
);

-- On hand per article, location and lot ('' when the article has no lots); virtual locations
-- (@supplier, ...) are kept too, so every article's rows sum to zero.
create table ${s}.balances (
  sku text not null,
  location text not null,
  lot text not null default '',
  on_hand bigint not null,
  primary key (sku, location, lot)
);
create index on ${s}.balances (location);

-- The expiry of each lot (from its first receipt), for FEFO listings and expiry reports.
create table ${s}.lots (
  sku text not null,
  lot text not null,
  expires_on date,
  primary key (sku, lot)
);

-- Open reservations: per reference, article and location ('' for "anywhere").
create table ${s}.reservations (
  reference text not null,
  sku text not null,
  location text not null default '',
  quantity bigint not null,
  primary key (reference, sku, location)
);
create index on ${s}.reservations (sku);

-- One row per movement line and move: the ledger. Balances as of any business time are sums here.
create table ${s}.ledger (
  position bigint not null,
  seq int not null,
  movement_id text not null,
  line int not null,
  kind text not null,
  sku text not null,
  from_location text not null,
  to_location text not null,
  quantity bigint not null,
  lot text,
  serials text[],
  reference text,
  occurred_at timestamptz not null,
  recorded_at timestamptz not null,
  user_name text not null,
  primary key (position, seq)
);

create table ${s}.serials (
  sku text not null,
  serial text not null,
  location text not null,
  primary key (sku, serial)
);

-- Net change of on hand per article, real location and business day, for history charts.
create table ${s}.stock_daily (
  sku text not null,
  location text not null,
  day date not null,
  net_change bigint not null,
  primary key (sku, location, day)
);

-- When each article was last counted at each location: the business time of the latest count.
create table ${s}.last_counts (
  sku text not null,
  location text not null,
  counted_at timestamptz not null,
  primary key (sku, location)
);

-- How far this schema has applied the tenant's events; written in the same transaction as the rows.
create table ${s}.checkpoint (
  id boolean primary key default true check (id),
  position bigint not null
);
insert into ${s}.checkpoint (position) values (0);
`;
}

/** The ledger's secondary indexes, idempotent (a build may be resumed after a crash). */
export function readModelIndexDdl(schema: string): string {
  const s = pgp.as.name(schema);
  return `
create index if not exists ledger_sku_occurred_at on ${s}.ledger (sku, occurred_at);
create index if not exists ledger_movement_id on ${s}.ledger (movement_id);
create index if not exists ledger_reference on ${s}.ledger (reference) where reference is not null;
`;
}

/** Every table of the read model, in a stable order (verify compares them one by one). */
export const readModelTables = ['articles', 'locations', 'balances', 'lots', 'reservations', 'ledger', 'serials', 'stock_daily', 'last_counts'] as const;
