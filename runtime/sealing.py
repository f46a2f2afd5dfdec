"""Secrets at rest: AES-256-GCM, bound to the row they belong to.

A sealed value is version (1 byte) + nonce (12 bytes) + ciphertext and tag. The associated data
names the row (user, kind, what it is for), so a value copied to another row does not open. Each
use has its own key: given, or derived from the service's secret key under that use's label.
"""

import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
NONCE_BYTES = 12  # GCM's standard nonce; random nonces are safe far beyond any count of secrets here
KEY_BYTES = 32  # AES-256
HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")


class SealError(ValueError):
    """A sealed value does not open with this key and row (wrong key, tampered, or moved)."""


class Sealer:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"an AES-256 key is {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)

    @classmethod
    def derived(cls, secret: str, info: bytes) -> "Sealer":
        """A key derived from the service's secret key, separated from every other use by `info`."""
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info)
        return cls(hkdf.derive(secret.encode()))

    @classmethod
    def configured(cls, hex_key: str | None, secret: str, info: bytes) -> "Sealer":
        """The configured key (64 hex characters) when there is one, else one derived for `info`."""
        return cls(bytes.fromhex(hex_key)) if hex_key else cls.derived(secret, info)

    def seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def open(self, sealed: bytes, context: str) -> bytes:
        if sealed[:1] != VERSION or len(sealed) < 1 + NONCE_BYTES + 16:
            raise SealError("not a sealed value of a known version")
        nonce, body = sealed[1 : 1 + NONCE_BYTES], sealed[1 + NONCE_BYTES :]
        try:
            return self._aead.decrypt(nonce, body, context.encode())
        except InvalidTag:
            raise SealError("the sealed value does not open with this key for this row") from None


def context(*parts: object) -> str:
    return "|".join(str(p).lower() for p in parts)


# Stored platform accounts (intake's user_credentials, the executor's copy): one key under this
# label, so the executor opens what intake sealed and intake keeps what the executor sealed.
CREDENTIALS_INFO = b"autoapply user credentials v1"


def credentials_sealer(hex_key: str | None, secret: str) -> Sealer:
    return Sealer.configured(hex_key, secret, CREDENTIALS_INFO)


def credential_context(user_id: object, platform: str, tenant: str | None, username: str) -> str:
    """A stored password is bound to its account: the user, the platform, the tenant ('' for none), the username."""
    return context(user_id, "credential", platform, tenant or "", username)
