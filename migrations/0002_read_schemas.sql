-- The control plane's registry of per-tenant read schemas. A read schema is a disposable,
-- versioned artifact (rm_<tenant>_<version>) built from the events; it is never migrated.
-- read_schemas lists every schema built or being built, with how far it has applied the
-- tenant's events; read_schema_live names the one each tenant's queries read.

create table read_schemas (
  schema_name     text primary key,
  tenant          text not null,
  version         text not null,
  status          text not null check (status in ('building', 'ready', 'failed', 'retired')),
  position        bigint not null default 0,
  failed_event_id uuid,
  error           text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);
create index read_schemas_tenant on read_schemas (tenant, version);

create table read_schema_live (
  tenant      text primary key,
  version     text not null,
  schema_name text not null references read_schemas (schema_name),
  switched_at timestamptz not null default now()
);
