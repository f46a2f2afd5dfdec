-- Resumes (the file lives in the object store under <user_id>/resumes/) and the profile.
CREATE TABLE resumes (
    resume_id  uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL,
    filename   text        NOT NULL,
    media_type text        NOT NULL,
    size_bytes integer     NOT NULL,
    object_key text        NOT NULL,
    parsed     jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX resumes_user ON resumes (user_id, created_at DESC);

-- No operator clause: an operator helps with tasks, never reads a resume.
ALTER TABLE resumes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_resumes ON resumes USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, DELETE ON resumes TO autoapply_api;

CREATE TABLE profiles (
    user_id    uuid        PRIMARY KEY,
    data       jsonb       NOT NULL,  -- contracts.profile.Profile
    updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_profile ON profiles USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE ON profiles TO autoapply_api;
