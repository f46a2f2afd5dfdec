"""Candidate accounts per realm ("linkedin", "workday:<tenant>", ...), for login walls and Workday."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

PBKDF2_ROUNDS = 10_000  # a fake site: enough to not store plain text, cheap enough for fast tests


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PBKDF2_ROUNDS)


@dataclass
class Account:
    realm: str
    email: str
    salt: bytes
    digest: bytes
    verified: bool
    name: str = ""
    phone: str = ""
    country: str = "United States"  # LinkedIn lists the member's country first in its phone picker
    second_email: str = ""  # LinkedIn members often have more than one address to choose from
    verify_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def check(self, password: str) -> bool:
        return hmac.compare_digest(self.digest, _hash(password, self.salt))

    @property
    def verify_code(self) -> str:
        """The 6-digit code some Workday tenants mail instead of a link (derived from the link's token)."""
        return f"{int.from_bytes(hashlib.sha256(self.verify_token.encode()).digest()[:8], 'big') % 1_000_000:06d}"


class Accounts:
    def __init__(self) -> None:
        self._accounts: dict[tuple[str, str], Account] = {}

    def create(
        self,
        realm: str,
        email: str,
        password: str,
        *,
        verified: bool,
        name: str = "",
        phone: str = "",
        country: str = "",
        second_email: str = "",
    ) -> Account:
        salt = secrets.token_bytes(16)
        account = Account(realm, email.lower(), salt, _hash(password, salt), verified, name, phone)
        account.country = country or account.country
        account.second_email = second_email.lower()
        self._accounts[(realm, email.lower())] = account
        return account

    def get(self, realm: str, email: str) -> Account | None:
        return self._accounts.get((realm, email.strip().lower()))

    def verify_by_code(self, realm: str, email: str, code: str) -> Account | None:
        account = self.get(realm, email)
        if account is None or not hmac.compare_digest(account.verify_code, code.strip()):
            return None
        account.verified = True
        return account

    def renew(self, realm: str, email: str) -> Account | None:
        """A fresh verification token (and so a fresh code), as a site's "resend" makes: the old link
        stops working."""
        account = self.get(realm, email)
        if account is not None:
            account.verify_token = secrets.token_urlsafe(24)
        return account

    def verify(self, realm: str, token: str) -> Account | None:
        for (r, _), account in self._accounts.items():
            if r == realm and hmac.compare_digest(account.verify_token, token):
                account.verified = True
                return account
        return None

    def listed(self, realm: str = "") -> list[dict[str, object]]:
        """What a tester may see of the accounts: never a password or its digest."""
        return [
            {"site": a.realm, "email": a.email, "verified": a.verified}
            for (r, _), a in self._accounts.items()
            if realm in ("", r)
        ]

    def clear(self) -> None:
        self._accounts.clear()
