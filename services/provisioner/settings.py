"""provisioner's settings: the browser provider, host slots, rate limits, proxies and the live view."""

from typing import Literal

from pydantic import Field, IPvAnyAddress, SecretStr, field_validator, model_validator

from contracts.states import RETRY_POLICY
from runtime.settings import ServiceSettings

# LinkedIn restricts accounts that apply faster than about 30 an hour; other sites are more lenient.
DEFAULT_HOURLY_LIMITS = {"linkedin": 30, "*": 60}
# Applications a user may start per day, by plan (DESIGN.md).
DEFAULT_PLAN_LIMITS = {"free": 5, "pro": 50}


class ProvisionerSettings(ServiceSettings):
    provider: Literal["local", "adspower"] = "local"
    # Browsers this host runs at once: the global concurrency (about 0.3-0.4 GB of memory each).
    browser_slots: int = Field(default=4, ge=1, le=256)
    # An account's browser stays up this long after its last task ended, holding its slot, so the
    # account's next task gets a tab of it at once (docs/provisioner.md, "Lingering browsers"). The
    # default spans the longest spacing between two applications of one account (spacing_max_s);
    # a task of another account that needs the slot stops it first. 0: stop at once.
    browser_linger_s: float = Field(default=180.0, ge=0, le=3600)
    # Browsers kept open beyond the slots while every task in them waits for a person, who needs
    # that live page (memory only, about 0.2-0.4 GB each; no CPU while they wait): a waiting
    # browser holds no slot against another account's task (docs/provisioner.md, "Waiting browsers").
    waiting_browsers: int = Field(default=8, ge=0, le=256)
    # Applications per account (user, platform) per hour, by platform; "*" for every other platform.
    hourly_limits: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_HOURLY_LIMITS))
    plan_limits: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_PLAN_LIMITS))
    # Random pause between two applications on one account, so the pace looks like a person's.
    spacing_min_s: float = Field(default=45.0, ge=0)
    spacing_max_s: float = Field(default=180.0, ge=0)
    # A waiting task comes back this often to look for a free browser slot (a delayed nak).
    slot_wait_s: float = Field(default=5.0, gt=0)
    # A task out of browser slots waits in its handler this long at most, woken when a slot frees
    # for it (wakes.py), then comes back by a short nak: well inside the handler's max_run_s (300 s).
    # 0 (the default): no wait in place, the delayed nak of slot_wait_s. A waiter holds one of the
    # consumer's messages in flight, and in the e2e suite tasks behind the waiters sat in
    # PROVISIONING past 90 s; until that is understood, waiting in place is the soak's choice.
    slot_hold_s: float = Field(default=0.0, ge=0, le=240)
    # A profile lock outlives its holder by at most this long; holders refresh it every third.
    lock_ttl_s: float = Field(default=30.0, ge=3)
    # Provisioning retries (contracts/states.py RETRY_POLICY: 5, 15, 45 s); shortened in tests only.
    retry_delays_s: tuple[float, ...] = RETRY_POLICY.delays_s
    # Proxy endpoints for new bindings, http://user:password@host:port, comma-separated.
    proxies: SecretStr = SecretStr("")
    # Where a proxy's exit IP is asked before its first use; answers {"ip": ...} or the bare address.
    proxy_check_url: str = "https://api.ipify.org?format=json"
    proxy_check_timeout_s: float = Field(default=10.0, gt=0)
    # At a clean stop: leave the browsers running for another instance to adopt (a rolling restart),
    # or stop them and fail their tasks (the default: nothing outlives `autoapply down`).
    keep_browsers_on_stop: bool = False
    # Headful browsers on a virtual display, watched through noVNC (port 6080 by default).
    headful: bool = False
    novnc_port: int = Field(default=6080, ge=0, le=65535)
    display: int = Field(default=99, ge=1)
    # AdsPower's Local API (research/apis.md section 1); the key is sent as a Bearer token.
    adspower_url: str = "http://127.0.0.1:50325"
    adspower_api_key: SecretStr = SecretStr("")
    adspower_group_id: str = "0"
    # The DevTools relay (docs/provisioner.md), for executors, verifiers and takeover on other hosts:
    # the address it listens on (none: off, and every service dials the browser's loopback port, as
    # on one machine), its port, and the address other hosts dial (the pod's IP; by default the
    # listening address, which must then be a specific one).
    devtools_relay_host: IPvAnyAddress | None = None
    devtools_relay_port: int = Field(default=9230, ge=0, le=65535)
    devtools_relay_public_host: str | None = None

    @field_validator("hourly_limits", "plan_limits")
    @classmethod
    def _positive(cls, limits: dict[str, int]) -> dict[str, int]:
        bad = [key for key, value in limits.items() if value < 1]
        if bad:
            raise ValueError(f"limits must be at least 1: {', '.join(bad)}")
        return limits

    @model_validator(mode="after")
    def _relay_reachable(self) -> "ProvisionerSettings":
        host = self.devtools_relay_host
        if host is not None and host.is_unspecified and not self.devtools_relay_public_host:
            raise ValueError(
                f"the DevTools relay listens on {host}: set AUTOAPPLY_DEVTOOLS_RELAY_PUBLIC_HOST to the address "
                "other hosts dial"
            )
        return self

    @property
    def devtools_relay_public(self) -> str | None:
        """Where other hosts reach the relay; None when it is off."""
        if self.devtools_relay_host is None:
            return None
        return self.devtools_relay_public_host or str(self.devtools_relay_host)

    @property
    def block_dns(self) -> bool:
        """The flag that resolves only loopback is for sandbox and test runs, never a real user's."""
        return self.mode == "sandbox"

    @property
    def proxy_urls(self) -> list[str]:
        return [url.strip() for url in self.proxies.get_secret_value().split(",") if url.strip()]

    def hourly_limit(self, platform: str) -> int:
        return self.hourly_limits.get(platform, self.hourly_limits.get("*", DEFAULT_HOURLY_LIMITS["*"]))
