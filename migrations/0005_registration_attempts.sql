-- compatible-with-previous-release
-- Registrations of the last hour per client address (an IPv6 client by its /64), shared by every
-- API process and kept over a restart: registering is public and costly, so one client may
-- register only so many companies an hour. Counted before the registration is tried; rows older
-- than the window are deleted as registrations come and by a timer.
create table registration_attempts (
  id          bigint generated always as identity primary key,
  client      text not null,
  at          timestamptz not null default clock_timestamp()
);
create index registration_attempts_client_at on registration_attempts (client, at);
