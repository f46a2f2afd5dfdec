"""Workday candidate accounts: create (with the "website" honeypot), the emailed verification link, sign in."""

import re
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from sandbox.flags import JobFlags
from sandbox.gate import send_mail
from sandbox.html import esc, page
from sandbox.jobs import WORKDAY_SITE, Job
from sandbox.sites.workday_common import CSS, JS, apply_path, open_posting, realm, shell
from sandbox.state import sbx, session

PASSWORD_RULES = (
    "Password must contain at least 8 characters, an uppercase letter, a lowercase letter, a number "
    "and a special character."
)
NOT_VERIFIED = "Your account has not been verified. Open the verification email we sent you, then sign in."
BARE_NOT_VERIFIED = "Account not verified."
RESENT = "We sent a verification email to {email}. Open the link in it to verify your account, then sign in."
CODE_SENT = "We sent a verification code to {email}. Enter it below to verify your email address."
SSO_ONLY = "Sign in with your Google account to apply. This site does not offer candidate accounts."


def _password_ok(password: str) -> bool:
    checks = (r".{8,}", r"[A-Z]", r"[a-z]", r"[0-9]", r"[^A-Za-z0-9]")
    return all(re.search(c, password) for c in checks)


def _text(fid: str, label: str, name: str, kind: str, value: str = "") -> str:
    return (
        f'<div class="wd-field"><label class="wd-label" for="{fid}">{esc(label)}'
        '<abbr class="wd-required" title="required">*</abbr></label>'
        f'<input id="{fid}" type="{kind}" data-automation-id="{name}" name="{name}" class="wd-input"'
        f' value="{esc(value)}" autocomplete="off"></div>'
    )


def _submit(automation_id: str, text: str) -> str:
    # The visible button sits under Workday's transparent click_filter overlay, which takes the click.
    return (
        f'<div class="wd-submit-wrap"><button type="submit" class="wd-primary" data-automation-id="{automation_id}"'
        f' tabindex="-1" aria-hidden="true">{text}</button><div data-automation-id="click_filter"'
        f' class="wd-click-filter" role="button" tabindex="0" aria-label="{text}"></div></div>'
    )


def _alert(kind: str, text: str) -> str:
    if not text:
        return ""
    automation = "errorBanner" if kind == "error" else "alertBanner"
    return f'<div data-automation-id="{automation}" class="wd-{kind}-banner" role="alert">{esc(text)}</div>'


def _create_form(job: Job, action: str, error: str, email: str) -> str:
    return (
        f'<form method="post" action="{action}" class="wd-account" data-automation-id="createAccountForm">'
        f'<h2 data-automation-id="createAccountHeader">Create Account</h2>{_alert("error", error)}'
        + _text("input-a1", "Email Address", "email", "email", email)
        + _text("input-a2", "Password", "password", "password")
        + _text("input-a3", "Verify New Password", "verifyPassword", "password")
        # The honeypot as tenants have it: named "website" and clipped to one pixel, so a filler that
        # maps "website" to a portfolio link fills it and the account is refused.
        + '<div class="wd-honeypot"><label for="input-a4">Website</label><input type="text" id="input-a4"'
        ' name="website" data-automation-id="beecatcher" tabindex="-1" autocomplete="off"></div>'
        '<label class="wd-choice"><input type="checkbox" data-automation-id="createAccountCheckbox"'
        ' name="createAccountCheckbox" value="true"> Yes, I have read and consent to the terms and conditions'
        '<abbr class="wd-required" title="required">*</abbr></label>'
        + _submit("createAccountSubmitButton", "Create Account")
        + f'<p>Already have an account? <a data-automation-id="signInLink" href="{apply_path(job)}?mode=signin">'
        "Sign In</a></p></form>"
    )


def _signin_form(job: Job, action: str, error: str, info: str, email: str) -> str:
    return (
        f'<form method="post" action="{action}" class="wd-account" data-automation-id="signInForm">'
        f'<h2 data-automation-id="signInHeader">Sign In</h2>{_alert("info", info)}{_alert("error", error)}'
        + _text("input-s1", "Email Address", "email", "email", email)
        + _text("input-s2", "Password", "password", "password")
        + _submit("signInSubmitButton", "Sign In")
        + '<p><a data-automation-id="forgotPasswordLink" href="#">Forgot your password?</a></p>'
        f'<p>Don\'t have an account yet? <a data-automation-id="createAccountLink" href="{apply_path(job)}">'
        "Create Account</a></p></form>"
    )


def _resend_form(request: Request, job: Job, email: str) -> str:
    """Beside a bare "not verified": the one way to get the verification mailed again."""
    keep = "&".join(f"{k}={quote(v)}" for k, v in request.query_params.items() if k != "mode")
    return (
        f'<form method="post" action="{apply_path(job)}/resendVerification{"?" + keep if keep else ""}"'
        f' class="wd-account" data-automation-id="resendVerificationForm">'
        f'<input type="hidden" name="email" value="{esc(email)}">'
        '<button type="submit" class="wd-secondary" data-automation-id="resendAccountVerificationButton">'
        "Resend Account Verification</button></form>"
    )


def render(
    request: Request, job: Job, mode: str, error: str = "", info: str = "", email: str = "", extra: str = ""
) -> str:
    keep = "&".join(f"{k}={quote(v)}" for k, v in request.query_params.items() if k != "mode")
    action = f"{apply_path(job)}/{'signIn' if mode == 'signin' else 'createAccount'}{'?' + keep if keep else ''}"
    form = (
        _signin_form(job, action, error, info, email) if mode == "signin" else _create_form(job, action, error, email)
    )
    inner = f'<div class="wd-account-page"><h2 class="wd-job-title">{esc(job.title)}</h2>{form}{extra}</div>'
    return page(
        f"{'Sign In' if mode == 'signin' else 'Create Account'} - {job.company}",
        shell(job, request, inner),
        css=CSS,
        js=JS,
    )


def _next(request: Request, job: Job) -> str:
    keep = "&".join(f"{k}={quote(v)}" for k, v in request.query_params.items() if k != "mode")
    return f"{apply_path(job)}{'?' + keep if keep else ''}"


def account_form(request: Request, job: Job, flags: JobFlags) -> Response:
    if flags.sso_only:
        return HTMLResponse(_sso_page(request, job))
    mode = "signin" if request.query_params.get("mode") == "signin" else "create"
    return HTMLResponse(render(request, job, mode))


def _sso_page(request: Request, job: Job) -> str:
    """A tenant whose candidates sign in with Google only: no account form, nothing to create."""
    inner = (
        f'<div class="wd-account-page"><h2 class="wd-job-title">{esc(job.title)}</h2>'
        '<div class="wd-account" data-automation-id="socialSignInPage"><h2 data-automation-id="signInHeader">'
        f'Sign In</h2><p data-automation-id="socialSignInText">{esc(SSO_ONLY)}</p>'
        '<button type="button" class="wd-primary" data-automation-id="googleSignInButton">Sign in with Google'
        "</button></div></div>"
    )
    return page(f"Sign In - {job.company}", shell(job, request, inner), css=CSS, js=JS)


def _create_error(request: Request, job: Job, form: dict[str, str]) -> str:
    if form.get("website"):
        return "Something went wrong. Please try again later."
    if not re.match(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$", form.get("email", "")):
        return "Enter a valid email address."
    if not _password_ok(form.get("password", "")):
        return PASSWORD_RULES
    if form.get("password") != form.get("verifyPassword"):
        return "The passwords do not match."
    if form.get("createAccountCheckbox") != "true":
        return "You must agree to the terms and conditions to create an account."
    if sbx(request).accounts.get(realm(job), form["email"]):
        return "An account with this email address already exists. Sign in instead."
    return ""


async def _send_verification(request: Request, job: Job, email: str, token: str) -> None:
    base = str(request.base_url).rstrip("/")
    link = (
        f"{base}/workday/{job.org}/{WORKDAY_SITE}/activate/{token}"
        f"?redirect={quote(apply_path(job) + '?mode=signin', safe='')}"
    )
    text = (
        f"Hello,\n\nThanks for creating a candidate account with {job.company}. Verify your email address by "
        f"opening this link:\n\n{link}\n\nIf you did not create this account, you can ignore this email.\n"
    )
    html = (
        f"<p>Thanks for creating a candidate account with {esc(job.company)}.</p>"
        f'<p><a href="{esc(link)}">Verify Account</a></p>'
    )
    subject = f"{job.company}: verify your candidate account"
    await send_mail(request, job, email, subject, text, html)


async def create(request: Request) -> Response:
    job, flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    if flags.sso_only:
        return HTMLResponse(_sso_page(request, job), 403)
    async with request.form() as raw:
        form = {k: str(v) for k, v in raw.items()}
    error = _create_error(request, job, form)
    if error:
        return HTMLResponse(render(request, job, "create", error=error, email=form.get("email", "")), 400)
    account = sbx(request).accounts.create(realm(job), form["email"], form["password"], verified=not flags.email_verify)
    if account.verified:
        session(request)[f"signed_in:{realm(job)}"] = account.email
        return RedirectResponse(_next(request, job), status_code=303)
    if flags.email_code:  # some tenants mail a code to type here instead of a link
        await _send_code(request, job, account.email, account.verify_code)
        return HTMLResponse(_code_page(request, job, account.email))
    await _send_verification(request, job, account.email, account.verify_token)
    info = f"We sent a verification email to {account.email}. Open the link in it to verify your account, then sign in."
    return HTMLResponse(render(request, job, "signin", info=info, email=account.email))


async def _send_code(request: Request, job: Job, email: str, code: str) -> None:
    text = (
        f"Hello,\n\nThanks for creating a candidate account with {job.company}.\n\n"
        f"Your verification code is {code}\n\nEnter it on the careers site to verify your email address. "
        "The code expires in 15 minutes. If you did not create this account, you can ignore this email.\n"
    )
    html = (
        f"<p>Thanks for creating a candidate account with {esc(job.company)}.</p>"
        f"<p>Your verification code is <b>{code}</b></p>"
    )
    await send_mail(request, job, email, f"{job.company}: your verification code", text, html)


def _code_page(request: Request, job: Job, email: str, error: str = "") -> str:
    keep = "&".join(f"{k}={quote(v)}" for k, v in request.query_params.items() if k != "mode")
    action = f"{apply_path(job)}/verifyCode{'?' + keep if keep else ''}"
    inner = (
        f'<div class="wd-account-page"><h2 class="wd-job-title">{esc(job.title)}</h2>'
        f'<form method="post" action="{action}" class="wd-account" data-automation-id="verifyEmailForm">'
        f'<h2 data-automation-id="verifyEmailHeader">Verify Your Email</h2>{_alert("error", error)}'
        f'<p data-automation-id="verifyEmailText">{esc(CODE_SENT.format(email=email))}</p>'
        f'<input type="hidden" name="email" value="{esc(email)}">'
        + _text("input-v1", "Verification Code", "verificationCode", "text")
        + _submit("verifyButton", "Verify")
        + "</form></div>"
    )
    return page(f"Verify Your Email - {job.company}", shell(job, request, inner), css=CSS, js=JS)


async def verify_code(request: Request) -> Response:
    """The mailed code typed on the site: the account is verified and the candidate signed in."""
    job, _flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    async with request.form() as raw:
        email, code = str(raw.get("email", "")), str(raw.get("verificationCode", ""))
    account = sbx(request).accounts.verify_by_code(realm(job), email, code)
    if account is None:
        return HTMLResponse(_code_page(request, job, email, "The verification code is not valid."), 400)
    session(request)[f"signed_in:{realm(job)}"] = account.email
    return RedirectResponse(_next(request, job), status_code=303)


async def sign_in(request: Request) -> Response:
    job, flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    if flags.sso_only:
        return HTMLResponse(_sso_page(request, job), 403)
    async with request.form() as raw:
        email, password = str(raw.get("email", "")), str(raw.get("password", ""))
    account = sbx(request).accounts.get(realm(job), email)
    if account is None or not account.check(password):
        return HTMLResponse(render(request, job, "signin", "Wrong email address or password.", email=email), 401)
    if not account.verified and flags.bare_unverified:
        resend = _resend_form(request, job, account.email)
        return HTMLResponse(render(request, job, "signin", BARE_NOT_VERIFIED, email=email, extra=resend), 403)
    if not account.verified and flags.email_code:  # a code tenant mails a fresh code and asks for it
        await _send_code(request, job, account.email, account.verify_code)
        return HTMLResponse(_code_page(request, job, account.email))
    if not account.verified:
        return HTMLResponse(render(request, job, "signin", NOT_VERIFIED, email=email), 403)
    session(request)[f"signed_in:{realm(job)}"] = account.email
    return RedirectResponse(_next(request, job), status_code=303)


async def resend(request: Request) -> Response:
    """Mails the verification again, with a fresh token: a link, or a code on a code tenant."""
    job, flags, blocked = await open_posting(request)
    if blocked:
        return blocked
    async with request.form() as raw:
        email = str(raw.get("email", ""))
    account = sbx(request).accounts.renew(realm(job), email)
    if account is None or account.verified:  # says nothing of which addresses have accounts
        return HTMLResponse(render(request, job, "signin", info=RESENT.format(email=email), email=email))
    if flags.email_code:
        await _send_code(request, job, account.email, account.verify_code)
        return HTMLResponse(_code_page(request, job, account.email))
    await _send_verification(request, job, account.email, account.verify_token)
    return HTMLResponse(render(request, job, "signin", info=RESENT.format(email=account.email), email=account.email))


async def activate(request: Request) -> Response:
    tenant = request.path_params["tenant"]
    account = sbx(request).accounts.verify(f"workday:{tenant}", request.path_params["token"])
    target = request.query_params.get("redirect", f"/workday/{tenant}/{WORKDAY_SITE}")
    target = target if target.startswith("/") and not target.startswith("//") else "/"
    heading, text = (
        ("Account Verified", "Your account has been verified. You can now sign in.")
        if account
        else ("Link Expired", "This verification link is not valid.")
    )
    body = (
        f'<main class="wd-main"><div class="wd-notice" data-automation-id="verificationResult"><h2>{heading}</h2>'
        f'<p>{text}</p><a class="wd-primary" data-automation-id="signInLink" href="{esc(target)}">Sign In</a>'
        "</div></main>"
    )
    return HTMLResponse(page(heading, body, css=CSS), 200 if account else 404)
