-- What the model cost each task so far (input, output, cache tokens, dollars): the budget is per
-- task, across its deliveries (a task that waited for a person goes on with what it had spent).
ALTER TABLE tasks ADD COLUMN llm_usage jsonb NOT NULL DEFAULT '{}';

-- A site learned once. What the agent found on a site: the clicks from a job page to its form.
-- Kept per site (host) and the job page's path shape; no personal data (texts of links and buttons).
CREATE TABLE site_paths (
    site        text        NOT NULL,
    page_shape  text        NOT NULL,  -- the job page's path with ids and numbers replaced by *
    clicks      jsonb       NOT NULL,  -- [{"role": "link"|"button", "name": "..."}], in order
    learned_at  timestamptz NOT NULL DEFAULT now(),
    replays     integer     NOT NULL DEFAULT 0,  -- applications that reached the form by the replay
    PRIMARY KEY (site, page_shape)
);

-- What a successful application confirmed: which question of a site took which answer of this
-- user's that the model drafted. Per user (it is theirs), replayed as their answer bank.
CREATE TABLE site_answers (
    user_id     uuid        NOT NULL,
    site        text        NOT NULL,
    label       text        NOT NULL,
    answer      text        NOT NULL,
    provenance  text        NOT NULL,  -- llm; declined: the model had nothing to answer it with (answer '')
    learned_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, site, label)
);
