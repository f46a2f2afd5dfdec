"""executor's settings: navigation timing, the exit-IP check and the stored accounts' key."""

import re

from pydantic import Field, SecretStr, field_validator

from contracts.states import RETRY_POLICY
from runtime.settings import ServiceSettings


class ExecutorSettings(ServiceSettings):
    # A job page that has not loaded in this long counts as a navigation timeout.
    navigation_timeout_s: float = Field(default=30.0, gt=0)
    # Navigation retries (contracts/states.py RETRY_POLICY: 5, 15, 45 s); shortened in tests only.
    navigation_retry_delays_s: tuple[float, ...] = RETRY_POLICY.delays_s
    # Where the exit IP is asked, through the task's browser, before its first navigation.
    ip_check_url: str = "https://api.ipify.org"
    # A screenshot after every step (object store); off only for benchmarks that measure without them.
    screenshots: bool = True
    # 64 hex characters (AES-256): intake's AUTOAPPLY_CREDENTIALS_KEY, so both open the stored
    # accounts' passwords; when unset both derive the same key from the shared secret_key.
    credentials_key: SecretStr | None = None

    @field_validator("credentials_key")
    @classmethod
    def _aes_256_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", key.get_secret_value()):
            raise ValueError("must be 64 hexadecimal characters (an AES-256 key)")
        return key
