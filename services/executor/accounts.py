"""The site's own candidate account, as the template's `account` section describes its pages.

With a stored account the executor signs in. Without one, where the site lets candidates create
accounts (Workday tenants), it creates one with the user's email and a generated password; the
password is sealed and stored, and `user.credentials_stored` (origin "signup") written to the
outbox, in one transaction committed BEFORE the click, so a crash never leaves an account whose
password nobody knows. An emailed link to open first becomes `email.verification_needed` (kind
link); a tenant that mails a code to type on its page instead, kind code (also when a stored
account it never verified signs in: it mails a fresh code then). A site that offers no account of
its own, or refuses the stored one, goes to a person.
"""

from __future__ import annotations

import base64
import re
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from playwright.async_api import Error as PlaywrightError

from contracts.users import CredentialsStored
from runtime import outbox, scrub
from runtime.sealing import credential_context
from services.executor import credentials
from services.executor.halts import Halt
from services.executor.pages import Outcome, outcome, resent, shows, wait_for
from services.executor.steps import find
from services.executor.templates import AccountPages, Action, Step

if TYPE_CHECKING:
    from services.executor.flow import Flow

# Generated passwords: long, and one of each class Workday's rules ask for (upper, lower, digit, special).
PASSWORD_LENGTH = 20
SPECIALS = "!#$%&*+-=?@^_"
CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SPECIALS)
# A Workday tenant is its host; the sandbox serves each tenant under /workday/<tenant>/ on loopback,
# so there it is `<tenant>.localhost` (a name that can only ever mean this machine).
REAL_TENANT = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.myworkday(jobs|site)\.com$")
SANDBOX_TENANT = re.compile(r"^/workday/([A-Za-z0-9-]+)/")
ELEMENT_WAIT_S = 10.0  # an account page's field or button, drawn late on a busy machine
# The site's answer to the emailed code (a form POST and a redirect), on a busy machine.
ANSWER_WAIT_MS = 20_000

# What the person is told (never the password; the username is the user's own email).
REFUSED = (
    "this site signs candidates in only through another service (Google sign-in): nobody can create an account here"
)
NO_SIGNUP = "no account is stored for this site and it cannot be created here: store one, or sign in in the live view"
EXISTS = "an account with the user's email exists on this site already, and its password is not stored"
STILL_UNVERIFIED = "the site still says the account is not verified after its emailed link was opened"


@dataclass(frozen=True)
class Account:
    username: str
    password: str  # in memory only, while it is typed

    def __repr__(self) -> str:
        return "Account(...)"


def new_password() -> str:
    """A password that meets Workday's rules: at least one of each class, the rest drawn from all."""
    chosen = [secrets.choice(c) for c in CLASSES]
    alphabet = "".join(CLASSES)
    chosen += [secrets.choice(alphabet) for _ in range(PASSWORD_LENGTH - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)


def tenant_of(url: str, sandbox: bool) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if REAL_TENANT.match(host):
        return host
    found = SANDBOX_TENANT.match(parts.path) if sandbox else None
    return f"{found.group(1).lower()}.localhost" if found else None


async def run(flow: Flow, step: Step) -> Halt | None:
    """The account step: None once the user is signed in, else the halt that says why not."""
    assert flow.template is not None and flow.template.account is not None
    pages = flow.template.account
    tenant = tenant_of(flow.run.task.job_url, flow.run.x.settings.mode == "sandbox")
    if pages.scope == "tenant" and tenant is None:
        return Halt("human", "the job's URL does not say which tenant its account belongs to")
    if not await shows(flow.page, (pages.sign_in_form, *((pages.create_form,) if pages.create_form else ()))):
        if pages.refused and await shows(flow.page, pages.refused):
            return Halt("human", REFUSED)
        return None  # signed in already: the browser kept the session
    stored = await credentials.find(flow.run.x.db, flow.run.task.user_id, flow.run.task.platform, tenant)
    if stored is not None:
        await flow.run.progress(flow.run.state, step=step.id, detail="sign_in")
        return await _sign_in(flow, pages, stored)
    if not pages.signup or not await _on_create_form(flow, pages):
        return Halt("human", NO_SIGNUP)
    await flow.run.progress(flow.run.state, step=step.id, detail="sign_up")
    return await _sign_up(flow, pages, tenant)


async def _on_create_form(flow: Flow, pages: AccountPages) -> bool:
    """On the Create Account form, following the link from Sign In where the site opened that one."""
    if pages.create_form is None:
        return False
    if not await shows(flow.page, (pages.create_form,)) and pages.to_create:
        link = await find(flow.page, pages.to_create, 0)
        if link is not None:
            await link.click()
    return await wait_for(flow.page, pages.create_form, ELEMENT_WAIT_S)


async def _sign_up(flow: Flow, pages: AccountPages, tenant: str | None) -> Halt | None:
    account = Account(flow.who.profile.email, new_password())
    scrub.remember_personal({"password": account.password})
    since = datetime.now(UTC)
    await _store(flow, tenant, account)  # committed before the click
    return await _create(flow, pages, account, since)


async def _store(flow: Flow, tenant: str | None, account: Account) -> None:
    run = flow.run
    user_id, platform = run.task.user_id, run.task.platform
    sealed = run.x.credentials.seal(
        account.password.encode(), credential_context(user_id, platform, tenant, account.username)
    )
    event = CredentialsStored(
        task_id=user_id,
        user_id=user_id,
        causation_id=run.cause.event_id,
        platform=platform,
        tenant=tenant,
        username=account.username,
        sealed_password=base64.b64encode(sealed).decode(),
        origin="signup",
    )
    async with run.x.db.acquire() as conn, conn.transaction():
        await credentials.save(conn, event, sealed)
        await outbox.enqueue(conn, run.x.svc.schema, event)


async def _create(flow: Flow, pages: AccountPages, account: Account, since: datetime) -> Halt | None:
    if not await _steps(flow, pages.create, account):
        return Halt("human", "the Create Account form is not as the template knows it")
    seen = await outcome(flow.page, pages)
    if seen.kind == "in":
        return None
    if seen.kind == "code":  # some tenants: a code to type on their page, not a link
        return Halt("email_code", "the site emailed a code to verify the new account", since=since)
    if seen.kind in ("sent", "unverified"):
        return Halt("email_link", "the site emailed a link to verify the new account", since=since)
    if seen.kind == "exists":
        return Halt("human", EXISTS)
    return Halt("human", f"creating the account failed: {seen.text or 'the site did not answer'}")


async def _sign_in(flow: Flow, pages: AccountPages, stored: credentials.Credential) -> Halt | None:
    if not await shows(flow.page, (pages.sign_in_form,)) and pages.to_sign_in:
        link = await find(flow.page, pages.to_sign_in, ELEMENT_WAIT_S)
        if link is not None:
            await link.click()
        await wait_for(flow.page, pages.sign_in_form, ELEMENT_WAIT_S)
    account = Account(stored.username, stored.password(flow.run.x.credentials))
    since = datetime.now(UTC)  # a code mailed on this sign-in is newer than this; an older one is stale
    if not await _steps(flow, pages.sign_in, account):
        return Halt("human", "the Sign In form is not as the template knows it")
    seen = await outcome(flow.page, pages)
    if seen.kind == "error" and stored.origin == "signup" and pages.to_create:
        return await _create_after_all(flow, pages, account, seen)
    if seen.kind == "unverified":
        return await _not_verified(flow, pages, stored)
    return _signed_in(seen, stored, since)


async def _not_verified(flow: Flow, pages: AccountPages, stored: credentials.Credential) -> Halt:
    """The tenant says the account is not verified. Its sign-up mail may be long gone, expired, or a
    code with nowhere to type it: where the page has a "resend" control, the verification is mailed
    anew and that mail waited for; else the sign-up's link. Once a link of this task was opened and
    the site still says so, a person looks (never a loop of mails)."""
    if flow.opened_link:
        return Halt("human", STILL_UNVERIFIED)
    if pages.resend and await shows(flow.page, (pages.resend,)):
        return await _resend(flow, pages)
    return Halt("email_link", "the account's emailed link has not been opened yet", since=stored.stored_at)


async def _resend(flow: Flow, pages: AccountPages) -> Halt:
    button = await find(flow.page, pages.resend or "", ELEMENT_WAIT_S)
    if button is None:
        return Halt("human", "the site's button to mail the verification again did not show")
    await flow.run.progress(flow.run.state, step="account", detail="resend_verification")
    before = await _page_text(flow)
    since = datetime.now(UTC)  # the mail this click sends is newer; the sign-up's is not wanted
    await button.click()
    seen = await resent(flow.page, pages, before)
    if seen.kind == "code":
        return Halt("email_code", "the account is not verified: the site mailed a code to verify it", since=since)
    if seen.kind == "sent":
        return Halt("email_link", "the account is not verified: the site mailed its link again", since=since)
    return Halt("human", f"asking the site to mail the verification again failed: {seen.text or 'no answer'}")


async def _page_text(flow: Flow) -> str:
    try:
        return (await flow.page.inner_text("body", timeout=1_000)).casefold()
    except PlaywrightError:
        return ""


async def _create_after_all(flow: Flow, pages: AccountPages, account: Account, refused: Outcome) -> Halt | None:
    """A password stored for a sign-up whose click never happened (the executor died between the
    commit and the click): the account is created now, with that same password."""
    if not await _on_create_form(flow, pages):
        return Halt("human", f"signing in with the stored account failed: {refused.text}")
    halt = await _create(flow, pages, account, datetime.now(UTC))
    if halt is not None and halt.message == EXISTS:
        return Halt("human", f"signing in with the stored account failed: {refused.text}")
    return halt


def _signed_in(seen: Outcome, stored: credentials.Credential, since: datetime) -> Halt | None:
    if seen.kind == "in":
        return None
    # Created earlier and never verified: a tenant that verifies by code mails a fresh one on this
    # sign-in and asks for it on its page; a link tenant's link (from the sign-up) is still to open.
    if seen.kind == "code":
        return Halt("email_code", "the account is not verified yet: the site emailed a code to verify it", since=since)
    said = seen.text or "the site did not let the stored account in"
    return Halt("human", f"signing in with the stored account failed: {said}")


async def _steps(flow: Flow, steps: tuple[Step, ...], account: Account) -> bool:
    """Types and clicks the account page's steps; False when a required element is missing."""
    for step in steps:
        element = await find(flow.page, step.selector or "", ELEMENT_WAIT_S if not step.optional else 0.5)
        if element is None:
            if step.optional:
                continue
            return False
        if step.action is Action.RPA_FILL:
            await element.fill(_value(step, account), timeout=step.timeout)
        else:
            await element.click(timeout=step.timeout)
    return True


async def on_code_page(flow: Flow) -> bool:
    """The tenant's Verify Your Email page (the code it mailed is to be typed there) is open; the
    template whose account pages these are becomes the flow's (a resumed flow has none yet)."""
    for template in flow.run.x.templates.values():
        pages = template.account
        if pages and pages.code_form and template.matches_url(flow.page.url):
            if await shows(flow.page, (pages.code_form,)):
                flow.template = template
                return True
    return False


async def enter_code(flow: Flow, code: str) -> Halt | None:
    """Types the mailed code and sends it; None once the site let the account in."""
    assert flow.template is not None and flow.template.account is not None
    pages = flow.template.account
    field = await find(flow.page, pages.code_field or "", ELEMENT_WAIT_S)
    button = await find(flow.page, pages.code_submit or "", ELEMENT_WAIT_S)
    if field is None or button is None:
        return Halt("human", "the page for the emailed code is not as the template knows it")
    await field.fill(code)
    try:
        # The site answers with a new page (the application, or the form again with its error).
        async with flow.page.expect_navigation(wait_until="domcontentloaded", timeout=ANSWER_WAIT_MS):
            await button.click()
    except PlaywrightError:
        return Halt("human", "the site did not answer the emailed code")
    seen = await outcome(flow.page, pages)
    if seen.kind == "error":
        return Halt("human", f"the site refused the emailed code: {seen.text}")
    return None


def _value(step: Step, account: Account) -> str:
    if step.value == "account.password":
        return account.password
    if step.value == "account.username":
        return account.username
    return step.value or ""
