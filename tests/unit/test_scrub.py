"""Secrets and personal data never leave the process in a span."""

import logging
import uuid
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Link

from runtime import logscrub, scrub
from runtime.logscrub import ScrubbingFilter
from runtime.scrub import REDACTED, ScrubbingSpanProcessor, scrub_attributes, scrub_text, secret_key

pytestmark = pytest.mark.unit


def test_secret_keys_and_personal_values_are_redacted() -> None:
    clean = scrub_attributes(
        {
            "user.email": "ada@example.com",
            "http.request.header.authorization": "Bearer abc.def",
            "autoapply.task_id": "3f1c",
            "note": "call +1 (415) 555-0100 or write to ada@example.com",
            "messaging.destination.name": "task.queued.normal.3f1c",
            "count": 3,
        }
    )
    assert clean["user.email"] == REDACTED
    assert clean["http.request.header.authorization"] == REDACTED
    assert clean["autoapply.task_id"] == "3f1c"
    assert "555" not in clean["note"] and "ada@" not in clean["note"]
    assert clean["messaging.destination.name"] == "task.queued.normal.3f1c"
    assert clean["count"] == 3


def test_the_exporter_only_sees_scrubbed_spans() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(ScrubbingSpanProcessor(SimpleSpanProcessor(exporter)))
    with provider.get_tracer("t").start_as_current_span("fill") as span:
        span.set_attribute("field.value", "Ada Lovelace")
        span.set_attribute("api_key", "sk-ant-0123456789")
        span.add_event("typed", {"phone": "+44 20 7946 0000", "selector": "#first_name"})
    (exported,) = exporter.get_finished_spans()
    assert exported.attributes == {"field.value": REDACTED, "api_key": REDACTED}
    assert exported.events[0].attributes == {"phone": REDACTED, "selector": "#first_name"}


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("http.response.status_code", False),
        ("http.status_code", False),
        ("db.statement", False),
        ("autoapply.consumer", False),
        ("messaging.message.body.size", False),
        ("candidate.first_name", True),
        ("x-api-key", True),
        ("anthropic.api_key", True),
        ("form.field.value", True),
        ("security_code.otp", True),
        ("resume.address", True),
    ],
)
def test_keys_are_judged_by_their_words(key: str, secret: bool) -> None:
    assert secret_key(key) is secret


def test_uuids_and_timestamps_are_left_intact() -> None:
    ids = [str(uuid.uuid4()) for _ in range(5000)]
    text = " ".join(f"task.progress.{i} at 2026-12-01T09:10:11.123456+00:00" for i in ids)
    assert scrub_text(text) == text
    assert scrub_text("2026-12-01 09:10:11,123 INFO started") == "2026-12-01 09:10:11,123 INFO started"


@pytest.mark.parametrize(
    "leak",
    [
        "jane.roe@example.org",
        "jane.roe%40example.org",
        "+1 (415) 555-0134",
        "415-555-0134",
        "221B Baker Street",
        "Bearer abc.def",
        "sk-ant-0123456789",
    ],
)
def test_personal_shapes_are_caught_in_free_text(leak: str) -> None:
    assert leak not in scrub_text(f"failed for {leak}, retrying")


def test_counts_ports_and_versions_are_not_phone_numbers() -> None:
    text = "port 54321, nats-server 2.15.1, 12 deliveries, 127.0.0.1"
    assert scrub_text(text) == text


def test_remembered_values_are_redacted_wherever_they_appear() -> None:
    scrub.remember_personal({"preferences": {"full_name": "Jules Okafor-Brandt", "city": "Ulan Bator"}, "n": "keep"})
    try:
        text = scrub_text('invalid input: {"x": "Okafor-Brandt, Jules", "where": "ulan%20bator", "n": "keep"}')
    finally:
        scrub.forget_all()
    assert "Okafor" not in text and "Jules" not in text and "ulan" not in text.lower()
    assert '"n": "keep"' in text


def test_span_names_status_links_and_exceptions_are_scrubbed() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(ScrubbingSpanProcessor(SimpleSpanProcessor(exporter)))
    tracer = provider.get_tracer("t")
    with tracer.start_as_current_span("linked") as other:
        pass
    link = Link(other.get_span_context(), {"note": "call +44 20 7946 0000"})
    with pytest.raises(ValueError), tracer.start_as_current_span("mail jane.roe@example.org", links=[link]):
        raise ValueError("no such user Jane Roe at 221B Baker Street")
    exported = exporter.get_finished_spans()[-1]
    dump = exported.to_json()
    assert "jane.roe" not in dump and "7946" not in dump and "Baker" not in dump and "Jane Roe" not in dump
    assert exported.status.description == "ValueError"
    (event,) = exported.events
    assert event.attributes == {"exception.type": "ValueError", "exception.escaped": "False"}


def test_log_records_are_scrubbed_message_args_and_exception(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.scrub")
    caplog.handler.addFilter(ScrubbingFilter())
    try:
        raise RuntimeError("no mailbox for jane.roe@example.org")
    except RuntimeError:
        logger.exception("failed for %s on task %s", "+1 415 555 0134", "7d3c0c7e-1d2a-4b5e-9f60-3a2b1c0d9e8f")
    (record,) = caplog.records
    text = caplog.text
    assert "555 0134" not in text and "jane.roe" not in text
    assert "7d3c0c7e-1d2a-4b5e-9f60-3a2b1c0d9e8f" in record.getMessage()
    assert "RuntimeError" in text and "test_scrub.py" in text


def test_every_record_of_the_process_is_scrubbed_also_by_handlers_of_their_own(tmp_path: Path) -> None:
    own = logging.getLogger("test.scrub.own")  # like uvicorn's: its own handler, not propagated
    handler = logging.FileHandler(tmp_path / "own.log")
    own.addHandler(handler)
    own.propagate = False
    logscrub.scrub_logs()
    logscrub.scrub_logs()  # twice changes nothing
    try:
        try:
            raise KeyError("maren.quistgaard@example.org")
        except KeyError:
            own.exception("lookup of %s failed", "maren.quistgaard%40example.org")
        own.warning("%d deliveries, %.1f s, for %r", 3, 2.5, {"phone": "+1 415 555 0142"})
    finally:
        logscrub.unscrub_logs()
        own.removeHandler(handler)
        handler.close()
    text = (tmp_path / "own.log").read_text()
    assert "quistgaard" not in text and "KeyError" in text and "[redacted]" in text
    assert "3 deliveries, 2.5 s, for {'phone': '[redacted]'}" in text and "555" not in text
    assert not isinstance(logging.getLogRecordFactory(), logscrub._ScrubbingFactory)


def test_a_stored_password_opened_for_typing_is_redacted_from_every_log_line_and_span() -> None:
    from datetime import UTC, datetime

    from runtime.sealing import Sealer, credential_context
    from services.executor.credentials import Credential

    sealer, user_id, password = Sealer(bytes(32)), uuid.uuid4(), "pla1n-Wd!" + uuid.uuid4().hex[:6]
    sealed = sealer.seal(password.encode(), credential_context(user_id, "workday", "acme.localhost", "a@example.org"))
    stored = Credential(user_id, "workday", "acme.localhost", "a@example.org", sealed, "signup", datetime.now(UTC))
    try:
        assert stored.password(sealer) == password
        assert password not in scrub_text(f"typed {password} into #password") and "a@example.org" not in repr(stored)
        attributes = scrub_attributes({"step": f"sign in with {password}", "sealed_password": "AQIDBA=="})
    finally:
        scrub.forget_all()
    assert password not in str(attributes) and attributes["sealed_password"] == REDACTED


def test_a_linkedin_password_typed_at_a_login_wall_is_in_no_log_line_span_or_dead_letter_reason() -> None:
    from datetime import UTC, datetime

    from runtime.deadletter import reason_text
    from runtime.sealing import Sealer, credential_context
    from services.executor.credentials import Credential
    from services.executor.signin import Login

    sealer, user_id, password = Sealer(bytes(32)), uuid.uuid4(), "Li-" + uuid.uuid4().hex[:10]
    sealed = sealer.seal(password.encode(), credential_context(user_id, "linkedin", None, "ada@example.org"))
    login = Login(Credential(user_id, "linkedin", "", "ada@example.org", sealed, "user", datetime.now(UTC)), sealer)
    written: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: written.append(record.getMessage())  # type: ignore[method-assign]
    handler.addFilter(ScrubbingFilter())
    logger = logging.getLogger("test.signin")
    logger.addHandler(handler)
    try:
        assert "ada@example.org" not in repr(login) and password not in repr(login)
        assert login.password() == password  # opened for typing: from now on the scrubber knows it
        logger.warning("the sign-in form did not go through: %s", f"#password={password}")
        attributes = scrub_attributes({"playwright.fill": password, "url": f"/login?p={password}"})
        letter = reason_text(f"TimeoutError while typing {password}")
    finally:
        logger.removeHandler(handler)
        scrub.forget_all()
    assert written and all(password not in line for line in written)
    assert password not in str(attributes) and password not in letter
