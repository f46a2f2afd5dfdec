"""JetStream stream and consumer counts from nats-server's monitor endpoint (/jsz)."""

from __future__ import annotations

from typing import Any

from autoapply.local.probe import get_json
from contracts.streams import DEAD_LETTER_STREAM

JSZ_QUERY = "/jsz?streams=true&consumers=true&config=true"


def consumer_counts(detail: dict[str, Any]) -> dict[str, int]:
    """Backlog of one durable consumer: what it has yet to get, hold unacked, and got again."""
    return {
        "pending": int(detail.get("num_pending", 0)),
        "ack_pending": int(detail.get("num_ack_pending", 0)),
        "redelivered": int(detail.get("num_redelivered", 0)),
        "waiting": int(detail.get("num_waiting", 0)),
        "delivered": int(detail.get("delivered", {}).get("stream_seq", 0)),
    }


def stream_counts(detail: dict[str, Any]) -> dict[str, Any]:
    state = detail.get("state", {})
    consumers = {c["name"]: consumer_counts(c) for c in detail.get("consumer_detail") or []}
    return {
        "messages": int(state.get("messages", 0)),
        "bytes": int(state.get("bytes", 0)),
        "first_seq": int(state.get("first_seq", 0)),
        "last_seq": int(state.get("last_seq", 0)),
        "subjects": list(detail.get("config", {}).get("subjects") or []),
        "consumers": consumers,
    }


def streams(monitor_url: str) -> dict[str, dict[str, Any]]:
    """Every stream of every account, by name."""
    status, body = get_json(monitor_url + JSZ_QUERY)
    if status != 200 or not isinstance(body, dict):
        raise RuntimeError(f"{monitor_url}/jsz answered {status}")
    found: dict[str, dict[str, Any]] = {}
    for account in body.get("account_details") or []:
        for detail in account.get("stream_detail") or []:
            found[detail["name"]] = stream_counts(detail)
    return found


def dead_letters(found: dict[str, dict[str, Any]]) -> int | None:
    """Messages waiting in the dead-letter stream; None until a service has declared that stream."""
    stream = found.get(DEAD_LETTER_STREAM)
    return None if stream is None else int(stream["messages"])
