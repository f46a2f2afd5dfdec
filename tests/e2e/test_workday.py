"""Workday's account step end to end, through the services alone: a tenant the user has no account on
gets one (the user's email, a generated password stored sealed before the click), the emailed link
is found by the verifier and opened by the executor, which signs in and applies; a second job on
the same tenant needs no new account. A tenant that mails a code instead gets the code typed, also
for an account made there earlier and never verified. A tenant that offers no account of its own, or
a stored account the tenant refuses, goes to a person with that reason. The password is in no log or
event."""

import json
from typing import Any
from uuid import UUID

import httpx
import nats
import pytest

from contracts.human import HumanNeeded
from contracts.mail import EmailVerificationNeeded, EmailVerified
from tests.e2e.stack import Stack, Watcher, applicant, candidate
from tests.e2e.test_apply import assert_one_application, start_task, submitted, values
from tests.e2e.test_signin import nowhere
from tests.e2e.test_workday_credentials import executor_rows
from tests.intake.client import User
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


def tenant_jobs(stack: Stack, count: int) -> list[dict[str, Any]]:
    """Plain jobs (no CAPTCHA, open) of one tenant that has `count` of them."""
    listed = stack.sandbox.get("/_admin/jobs", site="workday")["jobs"]
    jobs = [j for j in listed if not (j["flags"]["captcha"] or j["flags"]["closed"])]
    by_org: dict[str, list[dict[str, Any]]] = {}
    for job in jobs:
        by_org.setdefault(job["org"], []).append(job)
    return next(js[:count] for js in by_org.values() if len(js) >= count)


async def answers_for_both(http: httpx.AsyncClient, user: User, jobs: list[dict[str, Any]]) -> None:
    """One profile that answers every question of both jobs (the user's own answer bank)."""
    merged: dict[str, Any] = {"answers": {}}
    for job in jobs:
        profile = candidate(user.email, job)
        merged = profile | {"answers": merged["answers"] | profile["answers"]}
    answer = await http.put("/api/v1/profile", headers=user.auth, json=merged)
    assert answer.status_code in (200, 201), answer.text


async def connect_sandbox_mailbox(http: httpx.AsyncClient, stack: Stack, user: User) -> None:
    body = {"url": stack.sandbox.http, "address": user.email}
    answer = await http.put("/api/v1/mailbox/sandbox", headers=user.auth, json=body)
    assert answer.status_code == 200, answer.text


def assert_profile_values(record: dict[str, Any], job: dict[str, Any], user: User) -> None:
    """The application came from the user's account (Workday's form has no email field: the account's
    is sent), with the profile's name, address and phone and the answer bank's answers."""
    fields, ids = record["fields"], job["ids"]
    assert record["email"] == user.email
    assert (fields[ids["first"]], fields[ids["last"]]) == ("Ada", "Example")
    assert (fields[ids["city"]], fields[ids["postal"]]) == ("Seattle", "98101")
    assert "555" in fields[ids["phone"]]
    sent, profile = values(record), candidate(user.email, job)
    for question in job["questions"]:
        expected = profile["answers"].get(question["label"])
        if expected is not None and question["required"] and question["kind"] in ("yesno", "select", "number"):
            assert expected in sent, (question["label"], expected)


class AccountEvents:
    """Every account event (`user.>`), raw, as the bus carried it."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def on(self, msg: Any) -> None:
        self.raw.append(msg.data)

    def of(self, user: User, event_type: str) -> list[dict[str, Any]]:
        decoded = [json.loads(r) for r in self.raw]
        return [e for e in decoded if e["user_id"] == user.user_id and e["type"] == event_type]


async def test_a_new_tenant_account_is_created_verified_by_mail_and_a_second_job_needs_none(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    first, second = tenant_jobs(stack, 2)
    user, resume = await applicant(http, first)
    await answers_for_both(http, user, [first, second])
    await connect_sandbox_mailbox(http, stack, user)
    events, client = AccountEvents(), await nats.connect(stack.nats_url)
    await client.subscribe("user.>", cb=events.on)
    try:
        task_id = await start_task(http, user, first["url"])
        asked = await watcher.wait_for(task_id, EmailVerificationNeeded.TYPE, timeout_s=120)
        assert isinstance(asked, EmailVerificationNeeded) and asked.kind == "link" and asked.recipient == user.email
        verified = await watcher.wait_for(task_id, EmailVerified.TYPE, timeout_s=40)
        assert isinstance(verified, EmailVerified) and "/activate/" in verified.value
        await submitted(watcher, stack, task_id, timeout_s=120)
        await watcher.wait_for(task_id, "application.completed", timeout_s=40)
        record = assert_one_application(stack, first, user, resume)
        assert_profile_values(record, first, user)

        again = await start_task(http, user, second["url"])
        await submitted(watcher, stack, again, timeout_s=150)
        assert_profile_values(assert_one_application(stack, second, user, resume), second, user)
        assert watcher.of(again, EmailVerificationNeeded.TYPE) == []
    except AssertionError:
        print(stack.logs())
        raise
    finally:
        await client.drain()

    tenant = f"{first['org']}.localhost"
    accounts = stack.sandbox.get("/_admin/accounts", site=f"workday:{first['org']}")["accounts"]
    assert [a["verified"] for a in accounts if a["email"] == user.email] == [True]  # one account, verified
    [stored] = events.of(user, "user.credentials_stored")
    assert stored["origin"] == "signup" and stored["tenant"] == tenant and stored["username"] == user.email
    listed = (await http.get("/api/v1/credentials", headers=user.auth)).json()["credentials"]
    assert [(c["platform"], c["tenant"], c["origin"]) for c in listed] == [("workday", tenant, "signup")]
    mails = stack.sandbox.get("/_admin/mailbox", to=user.email)["messages"]
    assert len([m for m in mails if "verify your candidate account" in m["subject"]]) == 1
    # The password itself: what the executor typed is what the sandbox checks; it is nowhere else.
    password = _password(stack, user, tenant, stored)
    for name, child in stack.children.items():
        assert password not in child.log.read_text(errors="replace"), name
    assert not any(password.encode() in raw for raw in events.raw)
    assert not any(password in e.model_dump_json() for e in watcher.seen)


async def test_refusals_go_to_a_person_and_a_sign_up_that_died_before_its_click_is_made_with_its_password(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    """A tenant with Google sign-in only, and a stored account the tenant refuses, each end in
    human.needed with the reason; an account the executor stored but never created (it died between
    the commit and the click) is created on the next try with the stored password."""
    sso, refusing = tenant_jobs(stack, 4)[2:4]  # not the jobs the sign-up test applies to
    stack.sandbox.set_flags("workday", sso["job_id"], sso_only=True)
    try:
        user, _ = await applicant(http, sso)
        other, _ = await applicant(http, refusing)
        tenant = f"{refusing['org']}.localhost"
        stack.sandbox.post(
            "/_admin/accounts",
            {
                "site": f"workday:{refusing['org']}",
                "email": other.email,
                "password": "Right-Pa55word!",
                "verified": True,
            },
        )
        body = {"platform": "workday", "tenant": tenant, "username": other.email, "password": "Wrong-Pa55word!"}
        assert (await http.put("/api/v1/credentials", headers=other.auth, json=body)).status_code == 201
        died, _ = await applicant(http, refusing)
        password = await stored_by_a_sign_up_that_died(stack, died, tenant)
        tasks = [await start_task(http, user, sso["url"]), await start_task(http, other, refusing["url"])]
        late = await start_task(http, died, refusing["url"])
        asked = await watcher.wait_for(late, EmailVerificationNeeded.TYPE, timeout_s=120)
        assert isinstance(asked, EmailVerificationNeeded) and asked.kind == "link"
        reasons = []
        for task_id in tasks:
            needed = await watcher.wait_for(task_id, HumanNeeded.TYPE, timeout_s=120)
            assert isinstance(needed, HumanNeeded)
            reasons.append(needed.reason)
    except AssertionError:
        print(stack.logs())
        raise
    finally:
        stack.sandbox.clear_flags("workday", sso["job_id"])
    assert "Google sign-in" in reasons[0] and "signing in with the stored account failed" in reasons[1]
    assert "Wrong email address or password" in reasons[1]
    assert stack.sandbox.submissions(site="workday", job_id=refusing["job_id"], email=other.email) == []
    made = stack.sandbox.get("/_admin/accounts", site=f"workday:{sso['org']}")["accounts"]
    assert user.email not in [a["email"] for a in made]
    assert [a["verified"] for a in made if a["email"] == died.email] == [False]  # made now, link not opened
    assert password not in stack.children["executor"].log.read_text(errors="replace")


async def stored_by_a_sign_up_that_died(stack: Stack, user: User, tenant: str) -> str:
    """What the executor commits before a Create Account click, as if it died right after: the
    sealed password and its user.credentials_stored (origin signup), and no account on the site."""
    import base64

    from contracts.users import CredentialsStored
    from runtime.codec import encode
    from runtime.sealing import credential_context, credentials_sealer

    password = "Died-Before-1t!" + user.user_id[:6]
    sealer = credentials_sealer(None, stack.children["executor"].env["AUTOAPPLY_SECRET_KEY"])
    sealed = sealer.seal(password.encode(), credential_context(UUID(user.user_id), "workday", tenant, user.email))
    uid = UUID(user.user_id)
    event = CredentialsStored(
        task_id=uid,
        user_id=uid,
        platform="workday",
        tenant=tenant,
        username=user.email,
        sealed_password=base64.b64encode(sealed).decode(),
        origin="signup",
    )
    client = await nats.connect(stack.nats_url)
    try:
        subject, payload, headers = encode(event)
        await client.jetstream().publish(subject, payload, headers=headers)
    finally:
        await client.drain()

    async def kept() -> bool:
        return len(await executor_rows(stack, user.user_id)) == 1

    await eventually(kept, timeout_s=20)
    return password


def _password(stack: Stack, user: User, tenant: str, stored: dict[str, Any]) -> str:
    import base64

    from runtime.sealing import credential_context, credentials_sealer

    sealer = credentials_sealer(None, stack.children["executor"].env["AUTOAPPLY_SECRET_KEY"])
    context = credential_context(UUID(user.user_id), "workday", tenant, user.email)
    return sealer.open(base64.b64decode(stored["sealed_password"]), context).decode()


async def test_a_tenant_that_mails_a_code_instead_of_a_link_gets_the_code_typed_and_applies(
    stack: Stack, http: httpx.AsyncClient, watcher: Watcher
) -> None:
    """Some tenants verify a new account with a code mailed to it, typed on their own page: the
    executor asks the mailbox for a Workday code, the verifier finds it, the executor types it. An
    account a sign-up made there earlier but never verified gets the same: signing in, the tenant
    says only "Account not verified." (`bare_unverified`), the executor presses its resend button,
    the tenant mails a fresh code, and the executor asks for that code (not a link) and goes on."""
    taken = {j["job_id"] for j in tenant_jobs(stack, 4)}  # the other tests' jobs
    listed = stack.sandbox.get("/_admin/jobs", site="workday")["jobs"]
    job = next(j for j in listed if j["job_id"] not in taken and not (j["flags"]["captcha"] or j["flags"]["closed"]))
    stack.sandbox.set_flags("workday", job["job_id"], email_code=True, bare_unverified=True)
    try:
        user, resume = await applicant(http, job)
        await connect_sandbox_mailbox(http, stack, user)
        unverified, their_resume = await applicant(http, job)
        await connect_sandbox_mailbox(http, stack, unverified)
        password = await stored_by_a_sign_up_that_died(stack, unverified, f"{job['org']}.localhost")
        made = {"site": f"workday:{job['org']}", "email": unverified.email, "password": password, "verified": False}
        stack.sandbox.post("/_admin/accounts", made)  # ... and its click happened, its code never typed
        task_id = await start_task(http, user, job["url"])
        later = await start_task(http, unverified, job["url"])
        for who, task in ((user, task_id), (unverified, later)):
            asked = await watcher.wait_for(task, EmailVerificationNeeded.TYPE, timeout_s=120)
            assert isinstance(asked, EmailVerificationNeeded)
            assert (asked.kind, asked.platform, asked.recipient) == ("code", "workday", who.email)
            assert "myworkday.com" in asked.sender_domains and asked.resume_state.value.startswith("EXECUTING")
            verified = await watcher.wait_for(task, EmailVerified.TYPE, timeout_s=40)
            assert isinstance(verified, EmailVerified) and verified.kind == "code" and verified.value.isdigit()
            assert verified.value not in stack.children["executor"].log.read_text(errors="replace")
        await submitted(watcher, stack, task_id, timeout_s=120)
        assert_profile_values(assert_one_application(stack, job, user, resume), job, user)
        await submitted(watcher, stack, later, timeout_s=120)
        assert_profile_values(assert_one_application(stack, job, unverified, their_resume), job, unverified)
    except AssertionError:
        print(stack.logs())
        raise
    finally:
        stack.sandbox.clear_flags("workday", job["job_id"])
    accounts = stack.sandbox.get("/_admin/accounts", site=f"workday:{job['org']}")["accounts"]
    for who in (user, unverified):
        assert [a["verified"] for a in accounts if a["email"] == who.email] == [True]
        subjects = [m["subject"] for m in stack.sandbox.get("/_admin/mailbox", to=who.email)["messages"]]
        assert sum("your verification code" in s for s in subjects) == 1
        assert not any("verify your candidate account" in s for s in subjects)  # no link was sent
    assert watcher.of(later, HumanNeeded.TYPE) == []
    said = [e.detail for e in watcher.of(later, "task.progress")]  # type: ignore[attr-defined]
    assert said.count("resend_verification") == 1 and "resend_verification" not in [
        e.detail  # type: ignore[attr-defined]
        for e in watcher.of(task_id, "task.progress")
    ]
    await nowhere(stack, watcher, password)  # the stored password typed at sign-in
