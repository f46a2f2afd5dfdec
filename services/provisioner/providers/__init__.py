"""Browser providers behind one interface: make a profile, start it, stop it, say whether it runs."""

from dataclasses import dataclass, field
from typing import Literal, Protocol

from runtime.errors import TransientError
from services.provisioner.fingerprint import Fingerprint
from services.provisioner.proxies import Proxy

ProviderName = Literal["local", "adspower"]


class ProviderError(TransientError):
    """The provider could not do it now (not running, throttled, the browser did not come up)."""


@dataclass(frozen=True)
class ProfileSpec:
    """What a provider needs to know about one of our profiles."""

    profile_id: str
    fingerprint: Fingerprint
    proxy: Proxy | None = None
    external_id: str | None = None  # the provider's own id, once created


@dataclass(frozen=True)
class Session:
    """A running browser: where CDP answers, and the processes that make it (for memory figures)."""

    cdp_url: str  # http://127.0.0.1:PORT, for Playwright's connect_over_cdp
    ws_url: str  # the browser's CDP websocket
    pid: int | None = None
    live_view_url: str | None = None
    helper_pids: tuple[int, ...] = field(default=())


class Provider(Protocol):
    name: ProviderName

    async def create(self, spec: ProfileSpec) -> str:
        """Makes the profile with its fingerprint and proxy; returns the provider's id for it."""
        ...

    async def start(self, spec: ProfileSpec) -> Session:
        """Starts the browser, or returns the session of the one already running."""
        ...

    async def stop(self, spec: ProfileSpec) -> None:
        """Stops the browser; stopping one that is not running is not an error."""
        ...

    async def running(self, spec: ProfileSpec) -> Session | None:
        """The session if the browser runs and answers CDP, else None."""
        ...

    async def delete(self, spec: ProfileSpec) -> None:
        """Stops the browser and deletes the profile with its cookies and logins (its user is deleted);
        deleting one that is gone is not an error."""
        ...
