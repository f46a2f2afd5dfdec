-- The export lists a user's own logins (never the refresh tokens, which only the service reads).
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_sessions ON sessions USING (user_id = app_user_id());
GRANT SELECT ON sessions TO autoapply_api;
