-- compatible-with-previous-release
-- Tamper evidence (issue 13): the checkpoints of each tenant's SHA-256 hash chain over its events
-- in position order (src/audit/seals.ts). A checkpoint is the chain's value after the event at
-- `position`, the `count` of events chained so far, and, for naming the first event that differs
-- when a later verification disagrees, the positions of the segment's events and the first 8
-- bytes of the chain after each (16 bytes per event, written once). The checkpoint hashes are what
-- an auditor prints and notarises outside the system; the per-event links only locate a change.
create table audit_seals (
  tenant    text not null,
  position  bigint not null,
  hash      text not null check (hash ~ '^[0-9a-f]{64}$'),
  count     bigint not null check (count > 0),
  positions bigint[] not null,
  links     bytea not null,
  sealed_at timestamptz not null default now(),
  primary key (tenant, position)
);
