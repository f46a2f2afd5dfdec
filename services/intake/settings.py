from pydantic import Field

from runtime.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    http_port: int = Field(ge=0, le=65535)
    # Short, so a revoked session or a changed role takes effect soon even where a token is cached.
    access_token_ttl_s: int = Field(default=900, ge=30, le=3600)
    # A login lasts this long without a new password, refreshed or not.
    session_ttl_days: int = Field(default=30, ge=1, le=365)
