-- A proxy whose user was deleted keeps serving nobody: its exit IP is known to the sites as that
-- user's, so handing it to another account would link the two (one account = one IP, ever).
ALTER TABLE proxies ADD COLUMN retired_at timestamptz;
