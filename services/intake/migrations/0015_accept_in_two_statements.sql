-- Accepting a task in two statements, each its own transaction, instead of five (BEGIN, the
-- session, the inputs, the insert, COMMIT): every statement was a loopback round trip and a span,
-- most of the request's CPU (docs/intake.md). Row-level security still binds what each reads and
-- writes for the user: each function checks the session with the service's own rights, then
-- switches to autoapply_api with app.user_id and app.role for the rest of its statement (PL/pgSQL
-- plans every statement when it runs, under the role then in force). The switch is
-- transaction-local: called outside a transaction, it ends with the call.

-- The live session's plan, the resume to use (the one named, else the newest) with its file, and
-- the profile with its consents. No row: the session has ended (logged out, revoked, expired).
CREATE FUNCTION accept_inputs(p_session uuid, p_user uuid, p_role text, p_resume uuid)
RETURNS TABLE (plan text, resume_id uuid, object_key text, filename text, profile text,
               allow_llm boolean, operators_sign_in boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    live_plan text;
BEGIN
    SELECT u.plan INTO live_plan FROM sessions s JOIN users u USING (user_id)
     WHERE s.session_id = p_session AND s.user_id = p_user AND s.revoked_at IS NULL AND s.expires_at > now();
    IF live_plan IS NULL THEN
        RETURN;
    END IF;
    PERFORM set_config('role', 'autoapply_api', true), set_config('app.user_id', p_user::text, true),
            set_config('app.role', p_role, true);
    RETURN QUERY
    SELECT live_plan, r.resume_id, r.object_key, r.filename, p.data::text,
           coalesce((p.data->'preferences'->>'allow_llm')::boolean, false),
           coalesce((p.data->'preferences'->>'operators_may_sign_in')::boolean, false)
      FROM (SELECT 1) AS one
      LEFT JOIN LATERAL (SELECT r.resume_id, r.object_key, r.filename FROM resumes r
                          WHERE r.user_id = p_user AND (p_resume IS NULL OR r.resume_id = p_resume)
                          ORDER BY r.created_at DESC LIMIT 1) AS r ON true
      LEFT JOIN profiles AS p ON p.user_id = p_user;
END $$;

-- The task, its task.queued in the outbox and the relay's wake-up, all or nothing, if the session
-- is still live. Answers one row: ('accepted', the task), ('duplicate', the user's task for this
-- job: nothing written) or ('ended', null: the session ended since the inputs were read).
CREATE FUNCTION accept_task(
    p_session uuid, p_user uuid, p_role text,
    p_task uuid, p_job_key text, p_job_url text, p_platform text, p_resume uuid, p_priority text,
    p_preferences jsonb, p_trace text,
    p_event uuid, p_subject text, p_payload bytea, p_headers jsonb, p_channel text)
RETURNS TABLE (outcome text, task_id uuid)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM 1 FROM sessions s
     WHERE s.session_id = p_session AND s.user_id = p_user AND s.revoked_at IS NULL AND s.expires_at > now();
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'ended'::text, NULL::uuid;
        RETURN;
    END IF;
    PERFORM set_config('role', 'autoapply_api', true), set_config('app.user_id', p_user::text, true),
            set_config('app.role', p_role, true);
    INSERT INTO task_requests (task_id, user_id, job_key, job_url, platform, resume_id, priority, preferences, trace_id)
    VALUES (p_task, p_user, p_job_key, p_job_url, p_platform, p_resume, p_priority, p_preferences, p_trace)
    ON CONFLICT (user_id, job_key) DO NOTHING;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, r.task_id FROM task_requests r
                      WHERE r.user_id = p_user AND r.job_key = p_job_key;
        RETURN;
    END IF;
    -- The task is new: nobody else can write an event of it before this commits, so the outbox's
    -- per-task lock (runtime.outbox.enqueue) has nothing to order here.
    INSERT INTO outbox (id, subject, payload, headers) VALUES (p_event, p_subject, p_payload, p_headers)
    ON CONFLICT (id) DO NOTHING;
    PERFORM pg_notify(p_channel, '');
    RETURN QUERY SELECT 'accepted'::text, p_task;
END $$;
