"""The verifier's settings: the original timings by default, a sealing key that fails loudly, and
mailboxes that open only where they may."""

import secrets
import uuid

import pytest

from runtime.errors import SettingsError
from runtime.settings import load
from services.verifier.app import sealer_for
from services.verifier.mail.message import MailboxRevoked
from services.verifier.sealing import Sealer, context
from services.verifier.settings import VerifierSettings
from services.verifier.sources import open_source
from services.verifier.store import Mailbox
from tests.unit.test_settings import GOOD

pytestmark = pytest.mark.unit


def load_with(monkeypatch: pytest.MonkeyPatch, **extra: str) -> VerifierSettings:
    for key, value in (GOOD | extra).items():
        monkeypatch.setenv(key, value)
    return load(VerifierSettings)


def test_defaults_are_the_original_architectures(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_with(monkeypatch)
    assert (s.verify_timeout_s, s.verify_poll_s, s.proof_timeout_s) == (120.0, 5.0, 120.0)
    assert s.google_client() is None  # Gmail needs its client configured; the service still starts


def test_a_bad_mailbox_key_is_named_and_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError) as caught:
        load_with(monkeypatch, AUTOAPPLY_MAILBOX_KEY="not-hex-" * 8, AUTOAPPLY_VERIFY_POLL_S="0")
    message = str(caught.value)
    assert "AUTOAPPLY_MAILBOX_KEY" in message and "AUTOAPPLY_VERIFY_POLL_S" in message
    assert "not-hex-" not in message


def test_the_configured_key_seals_or_else_one_derived_from_the_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = secrets.token_bytes(32)
    row = context(uuid.uuid4(), "imap", "ada@example.org")
    sealed = Sealer(key).seal(b"secret", row)
    assert sealer_for(load_with(monkeypatch, AUTOAPPLY_MAILBOX_KEY=key.hex())).open(sealed, row) == b"secret"
    monkeypatch.delenv("AUTOAPPLY_MAILBOX_KEY")
    derived = sealer_for(load_with(monkeypatch))
    assert derived.open(Sealer.derived(GOOD["AUTOAPPLY_SECRET_KEY"]).seal(b"v", row), row) == b"v"


def test_the_sandbox_mailbox_opens_in_sandbox_mode_only(monkeypatch: pytest.MonkeyPatch) -> None:
    box = Mailbox(uuid.uuid4(), "ada@example.org", "sandbox", {"url": "http://127.0.0.1:1"}, None)
    sandbox = load_with(monkeypatch)
    assert open_source(box, sandbox, sealer_for(sandbox)) is not None
    production = load_with(monkeypatch, AUTOAPPLY_MODE="production")
    with pytest.raises(MailboxRevoked, match="sandbox mode only"):
        open_source(box, production, sealer_for(production))
