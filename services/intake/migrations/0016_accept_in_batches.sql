-- Accepting tasks in batches (group commit): the requests that arrive while one batch is on its way
-- go together in the next (runtime/coalesce.py), one statement and one transaction for all of them,
-- each row with its own outcome. Per row, the same checks as accept_inputs / accept_task (0015):
-- the session with the service's rights, then the row's reads and writes as autoapply_api with that
-- row's app.user_id and app.role, so row-level security binds each row to its own user. All the
-- sessions are checked first, before the switch to autoapply_api (which lasts to the statement's
-- end: called outside a transaction, it ends with the call).

-- One row per live session (ord: the item's place in the arrays, from 1); no row for an ended one.
CREATE FUNCTION accept_inputs_many(p_sessions uuid[], p_users uuid[], p_roles text[], p_resumes uuid[])
RETURNS TABLE (ord integer, plan text, resume_id uuid, object_key text, filename text, profile text,
               allow_llm boolean, operators_sign_in boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    live_plans text[];
    i integer;
BEGIN
    SELECT array_agg(u.plan ORDER BY q.n) INTO live_plans
      FROM unnest(p_sessions, p_users) WITH ORDINALITY AS q(session_id, user_id, n)
      LEFT JOIN sessions s ON s.session_id = q.session_id AND s.user_id = q.user_id
                          AND s.revoked_at IS NULL AND s.expires_at > now()
      LEFT JOIN users u ON u.user_id = s.user_id;
    PERFORM set_config('role', 'autoapply_api', true);
    FOR i IN 1 .. coalesce(array_length(p_sessions, 1), 0) LOOP
        CONTINUE WHEN live_plans[i] IS NULL;
        PERFORM set_config('app.user_id', p_users[i]::text, true), set_config('app.role', p_roles[i], true);
        RETURN QUERY
        SELECT i, live_plans[i], r.resume_id, r.object_key, r.filename, p.data::text,
               coalesce((p.data->'preferences'->>'allow_llm')::boolean, false),
               coalesce((p.data->'preferences'->>'operators_may_sign_in')::boolean, false)
          FROM (SELECT 1) AS one
          LEFT JOIN LATERAL (SELECT r.resume_id, r.object_key, r.filename FROM resumes r
                              WHERE r.user_id = p_users[i] AND (p_resumes[i] IS NULL OR r.resume_id = p_resumes[i])
                              ORDER BY r.created_at DESC LIMIT 1) AS r ON true
          LEFT JOIN profiles AS p ON p.user_id = p_users[i];
    END LOOP;
END $$;

-- Every task with its task.queued in the outbox, and one wake-up of the relay, all in one
-- transaction: all or nothing (a failing row fails the batch; the caller then writes each alone).
-- The daily quota is counted here too, from the user's tasks of the UTC day (task_requests), under
-- a per-user lock: counted with the commit, exactly, so a crash before the commit spends nothing
-- (in Redis, a crash between counting and the commit spent a unit, and with a batch in flight
-- that became a batch's worth). One row per item: ('accepted', the task), ('quota', null: the
-- user's limit for the day is reached; nothing written), ('duplicate', the user's task for this
-- job, which may be an earlier item of this batch; nothing written) or ('ended', null: the
-- session has ended). Rows are taken in their order (a user's later ones meet the limit first);
-- the users' locks are all taken first, in the order of the user ids, so two batches at once (two
-- instances) never wait for each other in a circle, and no other writer can be inserting a task of
-- these users meanwhile (every writer of a task holds its user's lock).
CREATE FUNCTION accept_task_many(
    p_sessions uuid[], p_users uuid[], p_roles text[], p_limits integer[],
    p_tasks uuid[], p_job_keys text[], p_job_urls text[], p_platforms text[], p_resumes uuid[],
    p_priorities text[], p_preferences text[], p_traces text[],
    p_events uuid[], p_subjects text[], p_payloads bytea[], p_headers text[], p_channel text)
RETURNS TABLE (ord integer, outcome text, task_id uuid)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    live boolean[];
    i integer;
    who uuid;
    used bigint;
    written integer := 0;
BEGIN
    SELECT array_agg(s.session_id IS NOT NULL ORDER BY q.n) INTO live
      FROM unnest(p_sessions, p_users) WITH ORDINALITY AS q(session_id, user_id, n)
      LEFT JOIN sessions s ON s.session_id = q.session_id AND s.user_id = q.user_id
                          AND s.revoked_at IS NULL AND s.expires_at > now();
    FOR who IN SELECT DISTINCT u FROM unnest(p_users) AS u ORDER BY u LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('task quota ' || who::text, 0));
    END LOOP;
    PERFORM set_config('role', 'autoapply_api', true);
    FOR i IN 1 .. coalesce(array_length(p_users, 1), 0) LOOP
        IF NOT live[i] THEN
            RETURN QUERY SELECT i, 'ended'::text, NULL::uuid;
            CONTINUE;
        END IF;
        PERFORM set_config('app.user_id', p_users[i]::text, true), set_config('app.role', p_roles[i], true);
        SELECT count(*) INTO used FROM task_requests r
         WHERE r.user_id = p_users[i] AND r.created_at >= date_trunc('day', now(), 'UTC');
        IF used >= p_limits[i] THEN
            RETURN QUERY SELECT i, 'quota'::text, NULL::uuid;
            CONTINUE;
        END IF;
        INSERT INTO task_requests (task_id, user_id, job_key, job_url, platform, resume_id, priority, preferences, trace_id)
        VALUES (p_tasks[i], p_users[i], p_job_keys[i], p_job_urls[i], p_platforms[i], p_resumes[i], p_priorities[i],
                p_preferences[i]::jsonb, p_traces[i])
        ON CONFLICT (user_id, job_key) DO NOTHING;
        IF NOT FOUND THEN
            RETURN QUERY SELECT i, 'duplicate'::text, r.task_id FROM task_requests r
                          WHERE r.user_id = p_users[i] AND r.job_key = p_job_keys[i];
            CONTINUE;
        END IF;
        -- A new task: nobody else writes an event of it before this commits (as in accept_task).
        INSERT INTO outbox (id, subject, payload, headers)
        VALUES (p_events[i], p_subjects[i], p_payloads[i], p_headers[i]::jsonb)
        ON CONFLICT (id) DO NOTHING;
        written := written + 1;
        RETURN QUERY SELECT i, 'accepted'::text, p_tasks[i];
    END LOOP;
    IF written > 0 THEN
        PERFORM pg_notify(p_channel, '');
    END IF;
END $$;

-- Every write goes through accept_task_many now (a request alone is a batch of one): the single
-- accept_task of 0015 counted no quota, so it goes.
DROP FUNCTION accept_task(uuid, uuid, text, uuid, text, text, text, uuid, text, jsonb, text, uuid, text, bytea, jsonb, text);
