"""Gmail API responses shaped like Gmail's (messages.list, messages.get format=full), for HttpMockSequence."""

import base64
import json
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

OK = {"status": "200", "content-type": "application/json; charset=UTF-8"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def payload(part: EmailMessage, part_id: str = "") -> dict[str, Any]:
    """A MessagePart: partId, mimeType, filename, headers, body {size, data}, parts."""
    shaped: dict[str, Any] = {
        "partId": part_id,
        "mimeType": part.get_content_type(),
        "filename": part.get_filename() or "",
        "headers": [{"name": k, "value": str(v)} for k, v in part.items()],
    }
    if part.is_multipart():
        shaped["body"] = {"size": 0}
        children = part.iter_parts()
        shaped["parts"] = [payload(c, f"{part_id}.{n}" if part_id else str(n)) for n, c in enumerate(children)]  # type: ignore[arg-type]
    else:
        data = part.get_payload(decode=True) or b""
        assert isinstance(data, bytes)
        shaped["body"] = {"size": len(data), "data": b64url(data)}
    return shaped


def message(message_id: str, raw: bytes, internal_ms: int) -> dict[str, Any]:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return {
        "id": message_id,
        "threadId": message_id,
        "labelIds": ["INBOX", "UNREAD"],
        "snippet": "",
        "historyId": "1",
        "internalDate": str(internal_ms),
        "sizeEstimate": len(raw),
        "payload": payload(parsed),
    }


def listing(ids: list[str]) -> str:
    if not ids:
        return json.dumps({"resultSizeEstimate": 0})
    return json.dumps({"messages": [{"id": i, "threadId": i} for i in ids], "resultSizeEstimate": len(ids)})


def token(access_token: str, expires_in: int = 3599) -> str:
    return json.dumps(
        {
            "access_token": access_token,
            "expires_in": expires_in,
            "scope": "https://www.googleapis.com/auth/gmail.readonly",
            "token_type": "Bearer",
        }
    )
