-- User administration (issue 16): an admin can disable a user (who then cannot log in and whose
-- sessions end at once), and the user list shows when each user last logged in. A user's
-- sessions are found by user when they are revoked (disable, delete, role or password change,
-- "end sessions"), hence the index.
alter table users
  add column disabled_at   timestamptz,
  add column last_login_at timestamptz;

create index credentials_user on credentials (user_id) where user_id is not null;
