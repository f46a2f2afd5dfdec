-- What the executor's agent learned of the user's per site (application.submitted `learned`): the
-- answers the model drafted and a site took (provenance llm), and the questions it had nothing of
-- the user's to answer with (declined, answer ''). The executor replays its own copy; this one is
-- the user's to see in their export, and goes when they delete their account.
CREATE TABLE site_answers (
    user_id        uuid        NOT NULL,
    site           text        NOT NULL,
    label          text        NOT NULL,
    answer         text        NOT NULL,
    provenance     text        NOT NULL,
    source_task_id uuid        NOT NULL,
    learned_at     timestamptz NOT NULL,
    PRIMARY KEY (user_id, site, label)
);
ALTER TABLE site_answers ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_site_answers ON site_answers USING (user_id = app_user_id());
GRANT SELECT ON site_answers TO autoapply_api;
