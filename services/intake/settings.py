import re

from pydantic import Field, SecretStr, field_validator

from runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    http_port: int = Field(ge=0, le=65535)
    # Short, so a revoked session or a changed role takes effect soon even where a token is cached.
    access_token_ttl_s: int = Field(default=900, ge=30, le=3600)
    # A login lasts this long without a new password, refreshed or not.
    session_ttl_days: int = Field(default=30, ge=1, le=365)
    # 64 hex characters (AES-256) for sealing stored credentials; derived from secret_key when unset.
    credentials_key: SecretStr | None = None

    @field_validator("credentials_key")
    @classmethod
    def _aes_256_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", key.get_secret_value()):
            raise ValueError("must be 64 hexadecimal characters (an AES-256 key)")
        return key
