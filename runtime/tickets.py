"""Live-view tickets: intake lets a user into takeover's live view of their own task's browser.

A ticket is a short-lived JWT under a key of its own, derived from the stack's secret key (so a
ticket is never an access token, nor the other way round), naming the user, the task and a one-time
id. intake issues it after checking the task is the user's and waits for them; takeover checks the
signature, the expiry and the task, and takes each ticket id once.
"""

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from uuid import UUID

import jwt

ISSUER = "autoapply-intake"
ALGORITHM = "HS256"
KIND = "live_view"
# Long enough for the page to open the socket, short enough that a copied ticket is soon worthless.
TTL_S = 60


@dataclass(frozen=True)
class Ticket:
    user_id: UUID
    task_id: UUID
    ticket_id: str
    expires_at: int


class BadTicket(ValueError):
    """Forged, expired, malformed, or for another task."""


def _key(secret: str) -> str:
    return hmac.new(secret.encode(), b"autoapply live-view ticket", hashlib.sha256).hexdigest()


def issue(user_id: UUID, task_id: UUID, ttl_s: int = TTL_S) -> Ticket:
    return Ticket(user_id, task_id, uuid.uuid4().hex, int(time.time()) + ttl_s)


def encode(ticket: Ticket, secret: str) -> str:
    claims = {
        "iss": ISSUER,
        "typ": KIND,
        "sub": str(ticket.user_id),
        "task": str(ticket.task_id),
        "jti": ticket.ticket_id,
        "exp": ticket.expires_at,
    }
    return jwt.encode(claims, _key(secret), algorithm=ALGORITHM)


def verify(token: str, secret: str, task_id: UUID) -> Ticket:
    """The ticket, if it is ours, unexpired and for this task; BadTicket otherwise."""
    try:
        claims = jwt.decode(
            token, _key(secret), algorithms=[ALGORITHM], issuer=ISSUER, options={"require": ["exp", "sub", "jti"]}
        )
    except jwt.ExpiredSignatureError:
        raise BadTicket("the ticket has expired; ask the page for a new one") from None
    except jwt.InvalidTokenError:
        raise BadTicket("the ticket is not valid") from None
    if claims.get("typ") != KIND or claims.get("task") != str(task_id):
        raise BadTicket("the ticket is not for this task")
    try:
        return Ticket(UUID(claims["sub"]), task_id, str(claims["jti"]), int(claims["exp"]))
    except (ValueError, TypeError):
        raise BadTicket("the ticket is not valid") from None
