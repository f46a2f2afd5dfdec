import re

from pydantic import Field, SecretStr, field_validator

from runtime.google_oauth import REVOKE_URI, TOKEN_URI, OAuthClient
from runtime.settings import ServiceSettings


class VerifierSettings(ServiceSettings):
    # The original architecture's wait for verification mail: 120 s, a look every 5 s.
    verify_timeout_s: float = Field(120.0, gt=0)
    verify_poll_s: float = Field(5.0, gt=0)
    # A wait being looked at is the looking instance's for this long: longer than any look (mail
    # sources time out at 15 s), so looks do not overlap; after a crash another instance takes over then.
    verify_lease_s: float = Field(30.0, gt=0)
    # How long a submission without a clear confirmation page waits for the confirmation mail.
    proof_timeout_s: float = Field(120.0, gt=0)
    # Mail this much older than the submit time still counts: the mailbox's clock is not ours.
    clock_skew_s: float = Field(60.0, ge=0, le=600)
    # 64 hex characters (AES-256) for sealing mailbox secrets; derived from secret_key when unset.
    mailbox_key: SecretStr | None = None
    # The Google OAuth client that reads Gmail (gmail.readonly); Gmail mailboxes need all three.
    google_client_id: str | None = None
    google_client_secret: SecretStr | None = None
    google_redirect_uri: str | None = None
    google_token_uri: str = TOKEN_URI
    # Where a disconnected Gmail mailbox's grant is revoked.
    google_revoke_uri: str = REVOKE_URI

    @field_validator("mailbox_key")
    @classmethod
    def _aes_256_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", key.get_secret_value()):
            raise ValueError("must be 64 hexadecimal characters (an AES-256 key)")
        return key

    def google_client(self) -> OAuthClient | None:
        if not (self.google_client_id and self.google_client_secret and self.google_redirect_uri):
            return None
        return OAuthClient(
            self.google_client_id,
            self.google_client_secret.get_secret_value(),
            self.google_redirect_uri,
            token_uri=self.google_token_uri,
        )
