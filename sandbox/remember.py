"""Sign-ins that outlast the browser session, as on the real sites: a persistent cookie per site
(LinkedIn's `li_at`, a year long) names the member, so a browser that restarts with its profile
is still signed in. Every password sign-in is counted, so tests can tell a reused session from a
new sign-in."""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# LinkedIn's own name for its long-lived session cookie; the other sites get one named after them.
COOKIES = {"linkedin": "li_at"}
MAX_AGE_S = 365 * 86_400  # LinkedIn's li_at lasts a year


def cookie_name(site: str) -> str:
    return COOKIES.get(site, f"sbx_auth_{site}")


@dataclass
class Remembered:
    site: str
    email: str
    checkpoint_passed: bool = False


@dataclass
class SignIns:
    """Who signed in with a password, and the long-lived tokens handed out for it."""

    tokens: dict[str, Remembered] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)

    def signed_in(self, site: str, email: str) -> str:
        """Counts a password sign-in and returns the token of its persistent cookie."""
        self.log.append({"site": site, "email": email, "at": datetime.now(UTC).isoformat()})
        token = secrets.token_urlsafe(24)
        self.tokens[token] = Remembered(site, email)
        return token

    def lookup(self, site: str, token: str | None) -> Remembered | None:
        found = self.tokens.get(token or "")
        return found if found is not None and found.site == site else None

    def find(self, site: str | None, email: str | None) -> list[dict[str, Any]]:
        return [
            s for s in self.log if site in (None, s["site"]) and (email is None or s["email"] == email.strip().lower())
        ]

    def clear(self) -> None:
        self.tokens.clear()
        self.log.clear()
