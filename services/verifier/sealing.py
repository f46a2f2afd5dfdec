"""Mailbox secrets at rest: the shared AES-256-GCM sealing (runtime.sealing) under the verifier's
own label, bound to the user, the mailbox kind and its address."""

from runtime.sealing import Sealer as _Sealer
from runtime.sealing import SealError

__all__ = ["HKDF_INFO", "SealError", "Sealer", "context"]

# Separates this key from every other use of the service's secret key (JWTs, sessions). intake
# seals a mailbox's secret under the same label, so the verifier opens what intake sealed.
HKDF_INFO = b"autoapply verifier mailbox secrets v1"


class Sealer(_Sealer):
    @classmethod
    def derived(cls, secret: str, info: bytes = HKDF_INFO) -> "Sealer":
        return super().derived(secret, info)  # type: ignore[return-value]


def context(user_id: object, kind: str, address: str) -> str:
    return f"{user_id}|{kind}|{address.lower()}"
