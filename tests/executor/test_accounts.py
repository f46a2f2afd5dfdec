"""The account step's pure parts: generated passwords meet Workday's rules, the tenant of a job URL,
what a sign-in's answer asks for next, and the template's account section refusing what it cannot
drive."""

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.executor.accounts import PASSWORD_LENGTH, _signed_in, new_password, tenant_of
from services.executor.credentials import Credential
from services.executor.pages import Outcome
from services.executor.templates import WORKFLOWS_DIR, TemplateError, load, load_all

pytestmark = pytest.mark.unit
# The sandbox enforces Workday's published rules: 8 or more, upper, lower, digit, special.
RULES = (r".{8,}", r"[A-Z]", r"[a-z]", r"[0-9]", r"[^A-Za-z0-9]")


def test_every_generated_password_meets_workdays_rules_and_none_repeats() -> None:
    made = [new_password() for _ in range(2_000)]
    assert all(len(p) == PASSWORD_LENGTH and all(re.search(rule, p) for rule in RULES) for p in made)
    assert len(set(made)) == len(made)


@pytest.mark.parametrize(
    ("url", "sandbox", "tenant"),
    [
        (
            "https://Acme.wd5.myworkdayjobs.com/en-US/External/job/Remote/Writer_JR-1",
            False,
            "acme.wd5.myworkdayjobs.com",
        ),
        ("https://acme.wd1.myworkdaysite.com/recruiting/acme/External/job/X_JR1", False, "acme.wd1.myworkdaysite.com"),
        ("http://127.0.0.1:8080/workday/Kestrel/External/job/Remote/Writer_JR0401340", True, "kestrel.localhost"),
        ("http://127.0.0.1:8080/workday/kestrel/External/job/Remote/Writer_JR0401340", False, None),
        ("https://myworkdayjobs.com.example.org/job/x", False, None),
    ],
)
def test_a_tenant_is_its_host_and_a_sandbox_tenant_is_named_for_loopback(
    url: str, sandbox: bool, tenant: str | None
) -> None:
    assert tenant_of(url, sandbox) == tenant


def test_the_workday_template_carries_the_account_step() -> None:
    workday = load_all()["workday"]
    account = workday.account
    assert account is not None and account.scope == "tenant" and account.signup
    assert [s.id for s in workday.steps if s.account] == ["account"]
    typed = [s.value for s in (*account.create, *account.sign_in) if s.value]
    assert typed == ["account.username", "account.password", "account.password", "account.username", "account.password"]
    assert not any("beecatcher" in (s.selector or "") or "website" in (s.selector or "") for s in account.create)


def test_an_account_step_without_its_section_or_with_an_engine_step_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    text = (WORKFLOWS_DIR / "workday.yaml").read_text(encoding="utf-8")
    path.write_text(text.split("\naccount:\n")[0] + "\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="account section"):
        load(path)
    path.write_text(text.replace("      action: RPA_FILL\n", "      action: RPA_FILL_FORM\n", 1), encoding="utf-8")
    with pytest.raises(TemplateError, match="only RPA_FILL and RPA_CLICK"):
        load(path)


def test_an_unverified_stored_account_waits_for_what_its_tenant_mails() -> None:
    """Signing in to an account made earlier and never verified: a code tenant's fresh code (mail
    older than the sign-in is not it). A tenant that says "not verified" is tests/executor/
    test_signin_typing.py's (the resend button, or the sign-up's link)."""
    stored = Credential(uuid.uuid4(), "workday", "acme.localhost", "ada@example.org", b"", "signup", datetime.now(UTC))
    since = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    code = _signed_in(Outcome("code"), stored, since)
    assert code is not None and (code.kind, code.since) == ("email_code", since)
    assert _signed_in(Outcome("in"), stored, since) is None
    refused = _signed_in(Outcome("error", "Wrong email address or password."), stored, since)
    assert refused is not None and refused.kind == "human" and "Wrong email address" in refused.message
