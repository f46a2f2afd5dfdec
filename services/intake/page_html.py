"""The job seeker's page as HTML: the layout and each view's skeleton. Pure.

Every control has a label; the data comes from the API (static/*.js fills the skeletons), so the
page and the CLI see the same thing. Nothing is loaded from outside: every file is served here.
"""

from html import escape

NAV = (("/app", "Applications"), ("/app/profile", "Profile"), ("/app/accounts", "Accounts"))


def layout(title: str, body: str, csrf: str | None = None, script: str | None = None, here: str = "") -> str:
    current = ' aria-current="page"'
    links = "".join(f'<a href="{href}"{current if href == here else ""}>{escape(name)}</a>' for href, name in NAV)
    nav = (
        f'<nav aria-label="Main">{links}'
        '<a href="/app/notifications" id="bell">Notifications <span id="unread" class="count" hidden></span></a>'
        '<form method="post" action="/app/signout" class="inline">'
        f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
        '<button class="link" type="submit">Sign out</button></form></nav>'
        if csrf
        else ""
    )
    meta = f'<meta name="csrf-token" content="{escape(csrf)}">' if csrf else ""
    scripts = '<script src="/app/static/app.js"></script>' if csrf else ""
    if script:
        scripts += f'<script src="/app/static/{escape(script)}"></script>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · Autoapply</title>"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{meta}'
        '<link rel="stylesheet" href="/app/static/seeker.css"></head><body>'
        '<a class="skip" href="#main">Skip to the content</a>'
        f'<header><a class="brand" href="/app">Autoapply</a>{nav}</header>'
        f'<main id="main" tabindex="-1">{body}</main>'
        '<div id="toast" role="status" aria-live="polite" class="toast" hidden></div>'
        f"{scripts}</body></html>"
    )


def _field(name: str, label: str, kind: str = "text", extra: str = "", hint: str = "") -> str:
    note = f'<span class="hint" id="{name}-hint">{escape(hint)}</span>' if hint else ""
    described = f' aria-describedby="{name}-hint"' if hint else ""
    return (
        f'<div class="field"><label for="{name}">{escape(label)}</label>'
        f'<input type="{kind}" id="{name}" name="{name}"{described} {extra}>{note}</div>'
    )


def sign_in(message: str = "", email: str = "", next_path: str = "/app") -> str:
    alert = f'<div class="notice bad" role="alert">{escape(message)}</div>' if message else ""
    return layout(
        "Sign in",
        f'<form class="auth card" method="post" action="/app/signin"><h1>Sign in</h1>{alert}'
        f'<input type="hidden" name="next" value="{escape(next_path)}">'
        + _field("email", "E-mail", "email", f'autocomplete="username" required value="{escape(email)}"')
        + _field("password", "Password", "password", 'autocomplete="current-password" required')
        + '<div class="buttons"><button class="primary" type="submit">Sign in</button></div>'
        '<p class="muted">New here? <a href="/app/signup">Create an account</a>.</p></form>',
    )


def sign_up(message: str = "", email: str = "", name: str = "") -> str:
    alert = f'<div class="notice bad" role="alert">{escape(message)}</div>' if message else ""
    return layout(
        "Create an account",
        f'<form class="auth card" method="post" action="/app/signup"><h1>Create an account</h1>{alert}'
        + _field("name", "Your name", "text", f'autocomplete="name" required maxlength="200" value="{escape(name)}"')
        + _field("email", "E-mail", "email", f'autocomplete="email" required value="{escape(email)}"')
        + _field(
            "password",
            "Password",
            "password",
            'autocomplete="new-password" required minlength="10"',
            "10 characters or more",
        )
        + '<div class="buttons"><button class="primary" type="submit">Create the account</button></div>'
        '<p class="muted">Already have one? <a href="/app/signin">Sign in</a>.</p></form>',
    )


def applications(csrf: str) -> str:
    body = (
        "<h1>Applications</h1>"
        '<section class="card" aria-labelledby="new-h"><h2 id="new-h">Apply to jobs</h2>'
        '<form id="apply-form"><label for="job-urls">Job links, one per line</label>'
        '<textarea id="job-urls" name="job_urls" rows="4" required aria-describedby="job-urls-hint" '
        'placeholder="https://boards.example.org/acme/jobs/123"></textarea>'
        '<span class="hint" id="job-urls-hint">Paste one link or many. Each job is applied to once, ever.</span>'
        '<div class="buttons"><button class="primary" type="submit">Apply</button></div></form>'
        '<div id="apply-results" aria-live="polite"></div></section>'
        '<section aria-labelledby="tasks-h"><h2 id="tasks-h">Your applications <span class="live" id="live-status">'
        "connecting…</span></h2>"
        '<div class="table-wrap"><table class="tasks"><caption class="sr-only">Every application, newest first, '
        'updating live</caption><thead><tr><th scope="col">Job</th><th scope="col">Status</th>'
        '<th scope="col">Progress</th><th scope="col">Started</th></tr></thead>'
        '<tbody id="task-rows"><tr><td colspan="4" class="muted">Loading…</td></tr></tbody></table></div></section>'
    )
    return layout("Applications", body, csrf, "tasks.js", "/app")


def task(csrf: str, task_id: str) -> str:
    body = (
        f'<div id="task" data-task-id="{escape(task_id)}">'
        '<p><a href="/app">← All applications</a></p>'
        '<h1 id="task-title">Application</h1>'
        '<div class="summary card"><dl id="task-summary"></dl>'
        '<div class="buttons"><button class="danger" id="cancel" type="button" hidden>Cancel this application</button>'
        "</div></div>"
        '<section id="question" class="card attention" hidden tabindex="-1" aria-labelledby="question-h">'
        '<h2 id="question-h">A question only you can answer</h2>'
        '<p class="muted">Your answer is sent to the form and saved to your answer bank, so the same question '
        'never needs you twice.</p><form id="question-form"></form></section>'
        f"{SIGN_IN_SECTION}"
        '<section id="review" class="card attention" hidden tabindex="-1" aria-labelledby="review-h">'
        '<h2 id="review-h">Review before sending</h2>'
        '<p class="muted">This is what will be sent in your name. Correct any value, then approve.</p>'
        '<form id="review-form"></form></section>'
        '<section id="receipt" class="card" hidden aria-labelledby="receipt-h"><h2 id="receipt-h">Receipt</h2>'
        '<div id="receipt-body"></div></section>'
        '<section class="card" aria-labelledby="timeline-h"><h2 id="timeline-h">What happened</h2>'
        '<ol id="timeline" class="timeline"></ol></section></div>'
    )
    # Deferred: it runs after app.js and task.js, whose helpers it uses.
    body += '<script src="/app/shared/screen.js" defer></script><script src="/app/static/liveview.js" defer></script>'
    return layout("Application", body, csrf, "task.js", "/app")


# The task's own browser while it waits for the user at a sign-in wall or a checkpoint: takeover's
# live view (liveview.js), their mouse and keyboard going to the site, and "Done" when they are in.
SIGN_IN_SECTION = (
    '<section id="signin" class="card attention" hidden tabindex="-1" aria-labelledby="signin-h">'
    '<h2 id="signin-h">Sign in to the job site, once</h2>'
    '<p id="signin-reason" class="muted"></p>'
    "<p>This is the application's own browser. Click into the picture and sign in as you would in your own "
    "browser (your password goes to the site, never to us); the site remembers it for your next applications. "
    "Then press <strong>Done, I signed in</strong>.</p>"
    '<div id="signin-notice" class="notice" role="status" aria-live="polite" hidden></div>'
    '<div class="screen"><span class="muted" id="signin-status">connecting…</span>'
    '<canvas id="signin-screen" width="1280" height="800" tabindex="0" '
    'aria-label="The job site, in the application\'s browser: click to work in it"></canvas></div>'
    '<div class="buttons"><button class="primary" id="signin-done" type="button">Done, I signed in</button>'
    '<button id="signin-reconnect" type="button" hidden>Show the browser again</button></div></section>'
)


def _checkbox(name: str, label: str) -> str:
    box = f'<input type="checkbox" id="{name}" name="{name}">'
    return f'<div class="check">{box}<label for="{name}">{escape(label)}</label></div>'


def _tri(name: str, label: str) -> str:
    options = (
        '<option value="">Not said (ask me)</option><option value="true">Yes</option><option value="false">No</option>'
    )
    select = f'<select id="{name}" name="{name}">{options}</select>'
    return f'<div class="field"><label for="{name}">{escape(label)}</label>{select}</div>'


PROFILE_FIELDS = (
    ("first_name", "First name", "text", 'autocomplete="given-name" required'),
    ("last_name", "Last name", "text", 'autocomplete="family-name" required'),
    ("email", "E-mail for applications", "email", 'autocomplete="email" required'),
    ("phone", "Phone, with country code", "tel", 'autocomplete="tel"'),
    ("location", "Location (city, region, country)", "text", ""),
    ("current_title", "Current title", "text", ""),
    ("current_company", "Current company", "text", ""),
    ("years_of_experience", "Years of experience", "number", 'min="0" max="70" step="0.5"'),
    ("linkedin_url", "LinkedIn", "url", ""),
    ("github_url", "GitHub", "url", ""),
    ("portfolio_url", "Website or portfolio", "url", ""),
)
EEO = (
    ("gender", "Gender"),
    ("race", "Race or ethnicity"),
    ("hispanic_latino", "Hispanic or Latino"),
    ("veteran", "Veteran status"),
    ("disability", "Disability"),
    ("sexual_orientation", "Sexual orientation"),
    ("transgender", "Transgender"),
)


def profile(csrf: str) -> str:
    fields = "".join(_field(f"p-{n}", label, kind, extra) for n, label, kind, extra in PROFILE_FIELDS)
    eeo = "".join(_field(f"eeo-{n}", label, "text", 'list="eeo-choices"', "") for n, label in EEO)
    prefs = (
        _field("pref-salary", "Expected salary, in your words", "text", 'placeholder="$140,000 a year"')
        + _field("pref-notice_period", "Notice period", "text", 'placeholder="2 weeks"')
        + _field("pref-earliest_start", "Earliest start", "text", "")
        + _tri("pref-sponsorship", "Do you need visa sponsorship?")
        + _tri("pref-work_authorization", "Are you authorised to work where the jobs are?")
        + _tri("pref-relocation", "Willing to relocate?")
        + _tri("pref-remote", "Do you want remote work?")
        + _tri("pref-privacy_consent", "Agree to employers' privacy notices?")
        + _checkbox("pref-allow_llm", "Let an AI draft free-text answers (why this role, cover letters)")
        + _checkbox("pref-review_before_submit", "Show me each form before it is sent")
        + _checkbox("pref-save_operator_answers", "Save an operator's answers to my answer bank")
        + _checkbox(
            "pref-operators_may_sign_in",
            "Let an operator sign in to a job site for me (or pass its security check) in the live browser",
        )
        + _checkbox("pref-decline_eeo", "Decline any other demographic question")
    )
    body = (
        '<h1>Your profile</h1><p class="muted">Only what is here is ever typed into a form. A question it '
        "does not answer comes to you; nothing is guessed.</p>"
        '<section class="card" aria-labelledby="resume-h"><h2 id="resume-h">Resume</h2>'
        '<form id="resume-form"><label for="resume-file">Upload a resume (PDF or Word, 10 MB at most)</label>'
        '<input type="file" id="resume-file" name="file" accept=".pdf,.docx,application/pdf" required>'
        '<div class="buttons"><button class="primary" type="submit">Upload and read it</button></div></form>'
        '<p id="resume-list" class="muted"></p>'
        '<form id="parsed-form" hidden aria-labelledby="parsed-h"><h3 id="parsed-h">What we read from it</h3>'
        '<p class="muted">Check each value and fix what is wrong. Only the ones you tick go to your profile.</p>'
        '<div id="parsed-fields"></div><div class="buttons"><button class="primary" type="submit">'
        "Save the ticked values to my profile</button></div></form></section>"
        '<form id="profile-form" class="card" aria-labelledby="profile-h"><h2 id="profile-h">About you</h2>'
        f'<div class="grid">{fields}</div>'
        f'<h2 id="prefs-h">Preferences</h2><div class="grid">{prefs}</div>'
        '<h2 id="eeo-h">Voluntary self-identification</h2><p class="muted">Employers in some countries ask these. '
        '"decline" answers with the form\'s decline option.</p>'
        '<datalist id="eeo-choices"><option value="decline"></option></datalist>'
        f'<div class="grid">{eeo}</div>'
        '<div class="buttons sticky"><button class="primary" type="submit">Save profile</button></div></form>'
        '<section class="card" aria-labelledby="bank-h"><h2 id="bank-h">Answer bank</h2>'
        '<p class="muted">Your answers to questions forms asked, with where each came from and when.</p>'
        '<div class="table-wrap"><table class="bank"><thead><tr><th scope="col">Question</th>'
        '<th scope="col">Answer</th>'
        '<th scope="col">From</th><th scope="col">Saved</th><th scope="col"><span class="sr-only">Remove</span></th>'
        '</tr></thead><tbody id="bank-rows"></tbody></table></div>'
        '<form id="bank-add" class="inline-form"><div class="field"><label for="bank-q">New question</label>'
        '<input type="text" id="bank-q" required></div><div class="field"><label for="bank-a">Your answer</label>'
        '<input type="text" id="bank-a" required></div><button class="plain" type="submit">Add</button></form>'
        "</section>"
    )
    return layout("Profile", body, csrf, "profile.js", "/app/profile")


def accounts(csrf: str) -> str:
    body = (
        "<h1>Accounts and data</h1>"
        '<section class="card" aria-labelledby="cred-h"><h2 id="cred-h">Job site accounts</h2>'
        '<p class="muted">Where a site needs you signed in (Workday asks per employer). Passwords are stored '
        "encrypted and never shown again.</p>"
        '<div class="table-wrap"><table><thead><tr><th scope="col">Site</th><th scope="col">Employer site</th>'
        '<th scope="col">User name</th><th scope="col">Stored</th><th scope="col"><span class="sr-only">Remove</span>'
        '</th></tr></thead><tbody id="cred-rows"></tbody></table></div>'
        '<form id="cred-form" class="grid"><div class="field"><label for="cred-platform">Site</label>'
        '<select id="cred-platform" required><option value="workday">Workday</option><option value="linkedin">LinkedIn'
        '</option><option value="greenhouse">Greenhouse</option><option value="lever">Lever</option>'
        '<option value="ashby">Ashby</option></select></div>'
        + _field("cred-tenant", "Employer site (Workday: its host)", "text", 'placeholder="acme.wd5.myworkdayjobs.com"')
        + _field("cred-username", "User name or e-mail", "text", 'autocomplete="off" required')
        + _field("cred-password", "Password", "password", 'autocomplete="new-password" required')
        + '<div class="buttons"><button class="primary" type="submit">Store the account</button></div></form></section>'
        '<section class="card" aria-labelledby="notif-h"><h2 id="notif-h">Notifications</h2>'
        '<form id="notif-form"><fieldset><legend>Mail me</legend>'
        '<div class="check"><input type="radio" name="mail" id="mail-each" value="each">'
        '<label for="mail-each">at once, for each application that completes, fails or needs me</label></div>'
        '<div class="check"><input type="radio" name="mail" id="mail-daily" value="daily">'
        '<label for="mail-daily">once a day, a digest</label></div>'
        '<div class="check"><input type="radio" name="mail" id="mail-off" value="off">'
        '<label for="mail-off">never (the page still shows them)</label></div></fieldset>'
        + _field("digest-hour", "Hour of the digest (UTC, 0 to 23)", "number", 'min="0" max="23" required')
        + '<p id="mail-note" class="hint"></p>'
        '<div class="buttons"><button class="primary" type="submit">Save</button></div></form></section>'
        '<section class="card" aria-labelledby="data-h"><h2 id="data-h">Your data</h2>'
        "<p>Download everything we hold about you: account, profile, resumes, applications and their history.</p>"
        '<div class="buttons"><a class="button plain" href="/api/v1/me/export" download>'
        "Download my data (zip)</a></div>"
        "<h3>Delete the account</h3><p>Running applications are cancelled, and everything is deleted from every part "
        "of the system. This cannot be undone.</p>"
        '<form id="delete-form">'
        + _field("delete-confirm", 'Type "delete" to confirm', "text", 'autocomplete="off"')
        + '<div class="buttons"><button class="danger" type="submit">Delete my account and data</button></div></form>'
        "</section>"
    )
    return layout("Accounts", body, csrf, "accounts.js", "/app/accounts")


def notifications(csrf: str) -> str:
    body = (
        '<h1>Notifications</h1><div class="buttons"><button class="plain" id="read-all" type="button">'
        'Mark all as read</button><a class="button plain" href="/app/accounts#notif-h">Mail settings</a></div>'
        '<ul id="notes" class="notes" aria-live="polite"><li class="muted">Loading…</li></ul>'
    )
    return layout("Notifications", body, csrf, "notifications.js", "")


def gone(csrf: str | None, title: str, text: str) -> str:
    return layout(
        title,
        f'<div class="card empty"><h1>{escape(title)}</h1><p>{escape(text)}</p>'
        '<p><a href="/app">Back to your applications</a></p></div>',
        csrf,
    )
