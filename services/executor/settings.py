"""executor's settings: navigation timing and the exit-IP check."""

from pydantic import Field

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
