"""Accounts the executor created (`user.credentials_stored`, origin "signup"): intake keeps them in
the user's list, sealed as they came, so `GET /api/v1/credentials` shows every account Autoapply
can sign in with and the user can delete one like any other."""

import base64
import binascii
from contextlib import suppress

import asyncpg
from nats.js.errors import NotFoundError

from contracts.envelope import Event
from contracts.streams import EVENTS_STREAM
from contracts.users import CredentialsDeleted, CredentialsStored
from runtime.bus import Delivery
from runtime.errors import PermanentError
from runtime.inbox import handle_once
from runtime.sealing import SealError
from runtime.service import Service
from services.intake import credentials

CREDENTIALS_CONSUMER = "intake-credentials"


async def on_credentials_event(svc: Service, event: Event, delivery: Delivery) -> None:
    """Only the executor's sign-ups are news here: the user's own accounts were stored by the request."""
    if isinstance(event, CredentialsDeleted):
        return  # published by intake itself, after its own row went
    if not isinstance(event, CredentialsStored):
        raise PermanentError(f"{event.TYPE} on the credentials consumer")
    if event.origin != "signup":
        return
    sealed = _checked(svc, event)

    async def apply(conn: asyncpg.Connection) -> None:
        await credentials.upsert(conn, event, sealed)

    await handle_once(svc.pool, CREDENTIALS_CONSUMER, event, apply)
    # Stored: the stream keeps no copy of the sealed password for its two weeks.
    with suppress(NotFoundError):  # deleted already, by the delivery before this one
        await svc.bus.js.delete_msg(EVENTS_STREAM, delivery.stream_seq)


def _checked(svc: Service, event: CredentialsStored) -> bytes:
    """The sealed bytes, once they are known to open here (another key or a moved value never will)."""
    try:
        sealed = base64.b64decode(event.sealed_password, validate=True)
        context = credentials.row_context(event.user_id, event.platform, event.tenant or "", event.username)
        credentials.sealer(svc).open(sealed, context)
    except (binascii.Error, SealError, ValueError) as exc:
        raise PermanentError(f"the sealed password does not open here: {type(exc).__name__}") from None
    return sealed
