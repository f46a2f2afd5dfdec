"""One behaviour suite, three mail sources: Gmail (API mock), IMAP (Dovecot), the sandbox's mailbox."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.verifier.extract import Wanted, first_match, links
from services.verifier.mail.message import MailMessage, MailQuery
from tests.verifier import mails
from tests.verifier.conftest import Box

pytestmark = pytest.mark.integration

GREENHOUSE = ("greenhouse-mail.io",)


async def cut_after(box: Box, old: list[bytes]) -> datetime:
    """Delivers `old`, then returns a time after them (whole seconds: IMAP dates have no fractions)."""
    for raw in old:
        await box.deliver(raw)
    await asyncio.sleep(1.05)
    cut = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    await asyncio.sleep((cut - datetime.now(UTC)).total_seconds())
    return cut


async def search(box: Box, query: MailQuery) -> list[MailMessage]:
    source = box.source()
    try:
        return await source.search(query)
    finally:
        await source.close()


async def test_only_mail_to_the_recipient_from_the_senders_after_the_time_newest_first(mailbox: Box) -> None:
    since = await cut_after(mailbox, [mails.security_code("OLDC0DE1", to=mailbox.address)])
    await mailbox.deliver(mails.security_code("F1RSTC0D", to=mailbox.address))
    await mailbox.deliver(mails.security_code("N0TM1NE1", to="grace.hopper@example.org"))
    await mailbox.deliver(mails.mail(("Shop", "offers@shop.example.net"), mailbox.address, "Sale", "20% off"))
    await asyncio.sleep(0.01)
    await mailbox.deliver(mails.security_code("SEC0NDC0", to=mailbox.address))

    found = await search(mailbox, MailQuery(mailbox.address, since, GREENHOUSE))

    assert [m.text.split(": ")[1][:8] for m in found] == ["SEC0NDC0", "F1RSTC0D"][: len(found)]
    assert len(found) == 2
    for message in found:
        assert message.sender == mails.GREENHOUSE and mailbox.address in message.recipients
        assert message.subject == f"Security code for your application to {mails.COMPANY}"
        assert since <= message.received_at <= datetime.now(UTC) + timedelta(seconds=1)
    assert len({m.id for m in found}) == 2


async def test_the_right_code_among_lookalikes(mailbox: Box) -> None:
    since = await cut_after(mailbox, [mails.security_code("OLDC0DE1", to=mailbox.address)])
    for raw in (
        mails.security_code("0THERJ0B", company="Contoso Analytics", to=mailbox.address),
        mails.job_alert(to=mailbox.address),
        mails.security_code(mails.CODE, to=mailbox.address),
    ):
        await mailbox.deliver(raw)

    found = await search(mailbox, MailQuery(mailbox.address, since, GREENHOUSE))
    match = first_match(found, Wanted("code", "greenhouse", mails.COMPANY))

    assert match is not None and match.value == mails.CODE


async def test_html_parts_and_encoded_headers_survive(mailbox: Box) -> None:
    link = "https://northwind.wd5.myworkdayjobs.com/External/activate/Zk3-9q_Lm2Xa?redirect=%2Fjob%3Fa%3D1"
    since = await cut_after(mailbox, [])
    await mailbox.deliver(mails.workday_link(link, company="Nørdvind Robotik", to=mailbox.address))

    [message] = await search(mailbox, MailQuery(mailbox.address, since, ("myworkday.com",)))

    assert message.subject == "Nørdvind Robotik: verify your candidate account"
    assert links(message) == [link]
    assert "Verify Account" in message.html and link in message.text
    assert first_match([message], Wanted("link", "workday", "nørdvind robotik")) is not None


async def test_an_empty_answer_is_an_empty_list(mailbox: Box) -> None:
    since = await cut_after(mailbox, [mails.security_code("OLDC0DE1", to=mailbox.address)])
    assert await search(mailbox, MailQuery(mailbox.address, since, GREENHOUSE)) == []
