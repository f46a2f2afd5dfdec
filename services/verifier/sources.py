"""Opening a user's mailbox as a MailSource: secrets are unsealed here, in memory, for one look."""

from runtime.google_oauth import GmailTokens, credentials
from services.verifier.mail.gmail import GmailMailbox
from services.verifier.mail.imap import ImapAccount, ImapMailbox
from services.verifier.mail.message import MailboxRevoked, MailSource
from services.verifier.mail.sandbox import SandboxMailbox
from services.verifier.sealing import Sealer
from services.verifier.settings import VerifierSettings
from services.verifier.store import Mailbox


def open_source(box: Mailbox, settings: VerifierSettings, sealer: Sealer) -> MailSource:
    if box.kind == "sandbox":
        if settings.mode != "sandbox":
            raise MailboxRevoked("the sandbox's mailbox is readable in sandbox mode only")
        return SandboxMailbox(str(box.settings["url"]))
    if box.kind == "imap":
        secret = box.open_secret(sealer)
        s = box.settings
        account = ImapAccount(
            s["host"],
            int(s["port"]),
            s.get("username", box.address),
            secret["password"],
            tls=bool(s.get("tls", True)),
            ca_file=s.get("ca_file"),
        )
        return ImapMailbox(account)
    if box.kind == "gmail":
        client = settings.google_client()
        if client is None:
            raise MailboxRevoked("Gmail is not configured (AUTOAPPLY_GOOGLE_CLIENT_ID, _SECRET, _REDIRECT_URI)")
        return GmailMailbox(credentials(gmail_tokens(box, sealer), client))
    raise MailboxRevoked(f"unknown mailbox kind {box.kind}")


def gmail_tokens(box: Mailbox, sealer: Sealer) -> GmailTokens:
    return GmailTokens.from_json(box.open_secret(sealer))
