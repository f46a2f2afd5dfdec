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
    # One browser per task at a time: the flow consumers take at most this many tasks in flight
    # per executor deployment (what runs is instances x AUTOAPPLY_WORKERS, capped by this). The
    # same variable as the provisioner's global browser slots, so one setting sizes both.
    browser_slots: int = Field(default=4, ge=1, le=256)
    # The server redelivers a flow message nobody acked or heartbeated for this long (an executor
    # frozen mid-application); heartbeats go every third of it, so it need not cover a whole form.
    flow_ack_wait_s: float = Field(default=120.0, gt=0)
    # 64 hex characters (AES-256): intake's AUTOAPPLY_CREDENTIALS_KEY, so both open the stored
    # accounts' passwords; when unset both derive the same key from the shared secret_key.
    credentials_key: SecretStr | None = None

    @field_validator("credentials_key")
    @classmethod
    def _aes_256_key(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", key.get_secret_value()):
            raise ValueError("must be 64 hexadecimal characters (an AES-256 key)")
        return key
