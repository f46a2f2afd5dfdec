-- Where a stored account came from: the user stored it ("user"), or the executor created it on a
-- Workday tenant and handed its sealed password over by event ("signup").
ALTER TABLE user_credentials ADD COLUMN origin text NOT NULL DEFAULT 'user' CHECK (origin IN ('user', 'signup'));
