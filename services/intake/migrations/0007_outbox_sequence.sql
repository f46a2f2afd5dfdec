-- The outbox numbers its rows from a sequence (runtime migrations); a request that accepts a task
-- writes an outbox row, so the request role may draw from it, and from any sequence added later.
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO autoapply_api', current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE ON SEQUENCES TO autoapply_api', current_schema());
END $$;
