"""A mailbox full of look-alikes never yields the wrong code or link (pure: no servers)."""

import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.verifier.extract import Wanted, extract, first_match, links
from services.verifier.mail.message import MailMessage, MailQuery, from_raw, select
from tests.verifier import mails

pytestmark = pytest.mark.unit

SUBMITTED_AT = datetime.now(UTC)
GREENHOUSE_CODE = Wanted("code", "greenhouse", mails.COMPANY)
QUERY = MailQuery(mails.CANDIDATE, SUBMITTED_AT - timedelta(seconds=60), ("greenhouse-mail.io",))


def received(raw: bytes, minutes_after_submit: float, n: list[int] = [0]) -> MailMessage:  # noqa: B006
    n[0] += 1
    return from_raw(f"m{n[0]}", raw, SUBMITTED_AT + timedelta(minutes=minutes_after_submit))


def lookalikes() -> list[MailMessage]:
    return [
        received(mails.security_code("OLDC0DE1"), -30),  # this job's older code, from an earlier try
        received(mails.security_code("0THERJ0B", company="Contoso Analytics"), 0.2),  # another job's code
        received(mails.job_alert(), 0.3),  # a job alert with code-like tokens, a name and a zip code
        received(mails.security_code("N0TM1NE1", to="grace.hopper@example.org"), 0.4),  # someone else's
        received(
            mails.mail(
                ("Phisher", "no-reply@greenhouse-mail.io.example.net"),
                mails.CANDIDATE,
                f"Security code for your application to {mails.COMPANY}",
                "Copy and paste this code into the security code field on your application: PH1SH1NG",
            ),
            0.5,
        ),  # a look-alike sender domain
    ]


def test_the_right_code_among_lookalikes() -> None:
    box = [*lookalikes(), received(mails.security_code(mails.CODE), 0.6)]
    found = first_match(select(box, QUERY), GREENHOUSE_CODE)
    assert found is not None and found.value == mails.CODE


def test_lookalikes_alone_yield_nothing() -> None:
    assert first_match(select(lookalikes(), QUERY), GREENHOUSE_CODE) is None


def test_the_newest_of_two_codes_after_the_submit_wins() -> None:
    box = [received(mails.security_code("F1RSTC0D"), 0.1), received(mails.security_code("SEC0NDC0"), 0.5)]
    found = first_match(select(box, QUERY), GREENHOUSE_CODE)
    assert found is not None and found.value == "SEC0NDC0"


def test_a_footer_zip_code_and_the_greeting_are_never_codes() -> None:
    text = "Hi Adaline,\n\nThanks for applying.\n\n© 2026 Greenhouse, New York NY 10013\n"
    raw = mails.mail(
        ("Acme", mails.GREENHOUSE), mails.CANDIDATE, f"Security code for your application to {mails.COMPANY}", text
    )
    assert extract(received(raw, 0.1), GREENHOUSE_CODE) is None


def test_a_code_in_the_html_part_only() -> None:
    html = (
        "<p>Copy and paste this code into the security code field on your application: <b>Q7rT2mXa</b></p>"
        "<p>New York NY 10011</p>"
    )
    raw = mails.mail(
        (mails.COMPANY, mails.GREENHOUSE),
        mails.CANDIDATE,
        f"Security code for your application to {mails.COMPANY}",
        "",
        html,
    )
    assert extract(received(raw, 0.1), GREENHOUSE_CODE) == "Q7rT2mXa"


def test_company_case_and_spacing_do_not_matter() -> None:
    raw = mails.security_code(mails.CODE, company="northwind  ROBOTICS")
    assert extract(received(raw, 0.1), GREENHOUSE_CODE) == mails.CODE


def test_workday_link_only_from_the_platforms_hosts() -> None:
    good = "https://northwind.wd5.myworkdayjobs.com/en-US/External/activate/Zk3-9q_Lm2Xa?redirect=%2Fjob"
    evil = "https://northwind.myworkdayjobs.com.evil.example/External/activate/Zk3-9q_Lm2Xa"
    wanted = Wanted("link", "workday", mails.COMPANY)
    assert extract(received(mails.workday_link(good), 0.1), wanted) == good
    assert extract(received(mails.workday_link(evil), 0.1), wanted) is None
    assert extract(received(mails.workday_link(good, company="Contoso"), 0.1), wanted) is None


def test_loopback_links_only_in_sandbox_mode() -> None:
    link = "http://127.0.0.1:41877/workday/northwind/External/activate/Zk3-9q_Lm2Xa?redirect=%2Fx"
    message = received(mails.workday_link(link), 0.1)
    assert extract(message, Wanted("link", "workday", mails.COMPANY)) is None
    assert extract(message, Wanted("link", "workday", mails.COMPANY, allow_loopback=True)) == link
    assert links(message) == [link]


def test_a_platform_without_rules_needs_a_labelled_code_with_a_digit() -> None:
    sender = ("Careers", "careers@acme.example.com")
    wanted = Wanted("code", "careers", None)
    labelled = mails.mail(
        sender, mails.CANDIDATE, "Your verification code", "Dear Adaline, your verification code is 4F7K2Q."
    )
    named = mails.mail(sender, mails.CANDIDATE, "Your verification code", "Your verification code is Adaline.")
    assert extract(received(labelled, 0.1), wanted) == "4F7K2Q"
    assert extract(received(named, 0.1), wanted) is None


def test_select_filters_on_the_messages_own_time_recipient_and_sender() -> None:
    box = [
        received(mails.security_code("EARLY001"), -5),
        received(mails.security_code("R1GHT001"), 1),
        received(mails.security_code("R1GHT002", to="ADA.LOVELACE@example.org"), 2),
    ]
    assert [m.received_at for m in select(box, QUERY)] == sorted((m.received_at for m in box[1:]), reverse=True)


CODES = st.text(alphabet=string.ascii_letters + string.digits, min_size=8, max_size=8)
COMPANIES = st.text(alphabet=string.ascii_letters + " &.-", min_size=2, max_size=30).filter(lambda c: c.strip())
NOISE = st.lists(st.from_regex(r"[A-Za-z0-9]{4,12}", fullmatch=True), max_size=8).map(" ".join)


@given(code=CODES, company=COMPANIES, noise=NOISE)
@settings(max_examples=25, deadline=None)
def test_any_code_for_any_company_is_read_back_exactly(code: str, company: str, noise: str) -> None:
    text = (
        f"Hi {noise},\n\nCopy and paste this code into the security code field on your application: {code}  "
        f"After you enter the code, resubmit your application.\n{noise} New York NY 10011\n"
    )
    raw = mails.mail(
        (company, mails.GREENHOUSE), mails.CANDIDATE, f"Security code for your application to {company}", text
    )
    assert extract(received(raw, 0.1), Wanted("code", "greenhouse", company)) == code


@given(noise=NOISE, company=COMPANIES)
@settings(max_examples=25, deadline=None)
def test_code_like_noise_without_the_platforms_wording_is_never_a_code(noise: str, company: str) -> None:
    text = f"Hi {noise}, your code {noise} for {company}. Security code: {noise} 10013"
    raw = mails.mail(
        (company, mails.GREENHOUSE), mails.CANDIDATE, f"Security code for your application to {company}", text
    )
    assert extract(received(raw, 0.1), Wanted("code", "greenhouse", company)) is None
