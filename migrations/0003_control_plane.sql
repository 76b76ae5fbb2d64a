-- The control plane of the tenants: who the companies are, which host names lead to them, their
-- users and API tokens, the login sessions and the idempotency records of movement requests.
-- Secrets are never stored: passwords as argon2id hashes, tokens and sessions as SHA-256 of the
-- random token the client holds.

create table tenants (
  slug                 text primary key,
  company_name         text not null,
  allow_negative_stock boolean not null default false,
  created_at           timestamptz not null default now()
);

-- Host names of a tenant: its subdomain of BASE_DOMAIN, and any custom domain.
create table tenant_domains (
  domain     text primary key,
  tenant     text not null references tenants (slug),
  created_at timestamptz not null default now()
);
create index tenant_domains_tenant on tenant_domains (tenant);

create table users (
  id            uuid primary key,
  tenant        text not null references tenants (slug),
  username      text not null,
  email         text not null,
  password_hash text not null,
  role          text not null check (role in ('admin', 'manager', 'operator', 'viewer', 'auditor')),
  created_at    timestamptz not null default now()
);
-- Usernames are unique per tenant regardless of case: "Admin" and "admin" are one user.
create unique index users_tenant_username on users (tenant, lower(username));

-- API tokens and login sessions share one table: both are bearer secrets bound to one tenant.
-- A session belongs to a user and expires; an API token has its own role and lives until revoked.
create table credentials (
  id          uuid primary key,
  kind        text not null check (kind in ('session', 'token')),
  secret_hash bytea not null unique,
  tenant      text not null references tenants (slug),
  user_id     uuid references users (id),
  name        text,
  role        text check (role in ('admin', 'manager', 'operator', 'viewer', 'auditor')),
  csrf_token  text,
  created_by  text not null,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz,
  revoked_at  timestamptz,
  check ((kind = 'session' and user_id is not null) or (kind = 'token' and role is not null and name is not null))
);
create index credentials_tenant_kind on credentials (tenant, kind);

-- The first answer to a movement request with an Idempotency-Key, kept 24 hours. The request's
-- hash tells a retry (same body) from a different request under the same key. The ids of the
-- movement's events are derived from the key, `created_at` (the start of its 24 hours) and the
-- request's hash: a retry of one body within the day gets the same ids, another body or a later
-- day never does. `claim` is the token of the request running under the key now (null when none
-- is: answered, or let go by a failed attempt); a claim older than a minute is taken over.
create table idempotency_records (
  tenant        text not null references tenants (slug),
  key           text not null,
  request_hash  text not null,
  status        int,
  response      jsonb,
  created_at    timestamptz not null default now(),
  claimed_at    timestamptz not null default now(),
  claim         uuid,
  primary key (tenant, key)
);
create index idempotency_records_created on idempotency_records (created_at);

-- Login attempts of the last minute, per username (within its tenant) and per client address,
-- shared by every API process: an attempt is counted before its password is checked and taken
-- back when it succeeds. Rows older than the window are deleted as attempts come and by a timer.
create table login_attempts (
  id          bigint generated always as identity primary key,
  key         text not null,
  at          timestamptz not null default clock_timestamp()
);
create index login_attempts_key_at on login_attempts (key, at);
