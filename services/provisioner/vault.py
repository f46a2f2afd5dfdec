"""Proxy passwords at rest: AES-256-GCM under a key derived from the service's secret key."""

import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# A key of its own for proxy passwords, so the secret key's other uses never share it.
KEY_INFO = b"autoapply provisioner proxy passwords v1"
NONCE_BYTES = 12  # GCM's standard nonce; random per message


def derive_key(secret_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(secret_key.encode())


def seal(key: bytes, plaintext: str, bound_to: str) -> bytes:
    """nonce + ciphertext; `bound_to` (the proxy's id) is authenticated, so a value cannot be moved."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext.encode(), bound_to.encode())


def unseal(key: bytes, sealed: bytes, bound_to: str) -> str:
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    return AESGCM(key).decrypt(nonce, body, bound_to.encode()).decode()
