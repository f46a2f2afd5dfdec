import re

from pydantic import Field, SecretStr, field_validator

from runtime.google_oauth import AUTH_URI, TOKEN_URI, OAuthClient
from runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    http_port: int = Field(ge=0, le=65535)
    # Several instances on one machine listen on the same port (SO_REUSEPORT: the kernel spreads
    # new connections over them), so the API is not held to one process's core (docs/intake.md).
    http_reuse_port: bool = False
    # Short, so a revoked session or a changed role takes effect soon even where a token is cached.
    access_token_ttl_s: int = Field(default=900, ge=30, le=3600)
    # A login lasts this long without a new password, refreshed or not.
    session_ttl_days: int = Field(default=30, ge=1, le=365)
    # 64 hex characters (AES-256) for sealing stored credentials; derived from secret_key when unset.
    credentials_key: SecretStr | None = None

    # 64 hex characters: the verifier's AUTOAPPLY_MAILBOX_KEY (both derive the same key from the
    # shared secret_key when it is unset), so the verifier opens the mailbox secrets sealed here.
    mailbox_key: SecretStr | None = None
    # The Google OAuth client for connecting Gmail (the verifier's three, and the same redirect URI,
    # which points at GET /api/v1/mailbox/gmail/callback); without them only IMAP can be connected.
    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    google_redirect_uri: str | None = None
    google_auth_uri: str = AUTH_URI
    google_token_uri: str = TOKEN_URI
    # Where a task's answer links its trace (a trace explorer), "{trace_id}" replaced.
    trace_url_template: str | None = None
    # Gmail's API root when it is not Google's own (a test's local server); None is Google's.
    gmail_api_url: str | None = None

    # Notification mail (services/intake/notify.py). Without a host the page still lists every
    # notification, and none is mailed; in sandbox mode the stack points it at the sandbox's sink.
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = "Autoapply <notifications@autoapply.invalid>"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # The page's address as the user's browser reaches it, for links in mail; None: this server's.
    public_url: str | None = None
    # takeover's address as the user's browser reaches it: their page opens the live view of their
    # task's browser there (a sign-in wall). None: the page offers no live view.
    takeover_public_url: str | None = None

    def page_url(self) -> str:
        host = str(self.listen_host)
        host = f"[{host}]" if ":" in host else host
        return (self.public_url or f"http://{host}:{self.http_port}").rstrip("/")

    def google_client(self) -> OAuthClient | None:
        if not (self.google_client_id and self.google_client_secret and self.google_redirect_uri):
            return None
        secret = self.google_client_secret.get_secret_value()
        return OAuthClient(
            self.google_client_id, secret, self.google_redirect_uri, self.google_auth_uri, self.google_token_uri
        )

    @field_validator("credentials_key", "mailbox_key")
    @classmethod
    def _aes_256_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", key.get_secret_value()):
            raise ValueError("must be 64 hexadecimal characters (an AES-256 key)")
        return key
