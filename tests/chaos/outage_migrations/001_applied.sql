CREATE TABLE applied (
    event_id uuid PRIMARY KEY,
    times integer NOT NULL,
    num_delivered integer NOT NULL
);
