"""How a task is shown: its row, timeline, screenshots and receipt, as JSON-ready data. Pure."""

import json
from typing import Any

import asyncpg

# Events whose data names a screenshot of the page the task was on.
SCREENSHOT_FIELDS = ("screenshot_uri",)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def summary(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "task_id": str(row["task_id"]),
        "job_url": row["job_url"],
        "platform": row["platform"],
        "state": row["state"],
        "outcome": row["outcome"],
        "priority": row["priority"],
        "created_at": _iso(row["created_at"]),
        "updated_at": _iso(row["updated_at"]),
    }


def event(row: asyncpg.Record) -> dict[str, Any]:
    data = json.loads(row["data"])
    shown = {k: v for k, v in data.items() if k not in ("event_id", "task_id", "user_id", "type", "schema_version")}
    return {
        "event_id": str(row["event_id"]),
        "type": row["event_type"],
        "from": row["from_state"],
        "to": row["to_state"],
        "applied": row["applied"],
        "at": _iso(row["occurred_at"]),
        "trace_id": row["trace_id"],
        "data": shown,
    }


def receipt(timeline: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What was sent and the proof that it arrived, once the executor has submitted."""
    submitted = next((e for e in timeline if e["type"] == "application.submitted"), None)
    if submitted is None:
        return None
    completed = next((e for e in timeline if e["type"] == "application.completed"), None)
    return {
        "receipt_uri": submitted["data"].get("receipt_uri"),
        "page_url": submitted["data"].get("page_url"),
        "confirmation_text": submitted["data"].get("confirmation_text"),
        "submitted_at": submitted["at"],
        "confirmation_id": completed["data"].get("confirmation_id") if completed else None,
        "evidence": completed["data"].get("evidence", []) if completed else [],
        "fields": submitted["data"].get("fields", []),  # each value sent, with its provenance
        "tokens": submitted["data"].get("tokens", 0),
        "usage": submitted["data"].get("usage"),
    }


def spent(timeline: list[dict[str, Any]]) -> tuple[int, dict[str, Any] | None]:
    """What the task spent on the model so far, as its latest event that says tells it (the
    executor reports the task's running total on application.submitted and human.needed)."""
    said = next((e for e in reversed(timeline) if e["data"].get("usage")), None)
    if said is None:
        return 0, None
    return int(said["data"].get("tokens") or 0), said["data"]["usage"]


# What a review shows the user: the page, every value with its provenance, what is still open.
REVIEW_FIELDS = ("page_url", "fields", "unresolved", "files", "screenshot_uri", "dry_run")


def review(timeline: list[dict[str, Any]], state: str) -> dict[str, Any] | None:
    """What waits for the user's approval (the latest task.review_needed), while the task is in review."""
    if state != "NEED_REVIEW":
        return None
    latest = next((e for e in reversed(timeline) if e["type"] == "task.review_needed" and e["applied"]), None)
    if latest is None:
        return None
    data = latest["data"]
    return {"review_id": latest["event_id"], "requested_at": latest["at"], **{k: data.get(k) for k in REVIEW_FIELDS}}


# States in which a task waits for a person (an operator), and the requests that put it there.
PERSON_STATES = ("NEED_CAPTCHA", "NEED_HUMAN", "HUMAN_TAKEOVER")
HELP_KINDS = {"captcha.detected": "captcha", "human.needed": "question", "email.not_found": "email_not_found"}


def _why(kind: str, data: dict[str, Any]) -> str:
    if kind == "captcha":
        return "a CAPTCHA must be solved by a person"
    if kind == "email_not_found":
        return f"no verification mail arrived within {float(data.get('waited_s') or 0):.0f} s"
    return str(data.get("reason") or "a person must answer the form's questions")


def waiting(timeline: list[dict[str, Any]], state: str) -> dict[str, Any] | None:
    """While the task waits for a person: what for and why (the latest request for help)."""
    if state not in PERSON_STATES:
        return None
    asked = next((e for e in reversed(timeline) if e["type"] in HELP_KINDS and e["applied"]), None)
    if asked is None:
        return None
    kind, data = HELP_KINDS[asked["type"]], asked["data"]
    barrier = data.get("sign_in") if kind == "question" else None
    return {
        # A sign-in wall or a checkpoint is the user's to pass, in the live view on their page.
        "for": "you" if barrier else "operator",
        "kind": "sign_in" if barrier else kind,
        "sign_in": barrier,
        "reason": _why(kind, data),
        "questions": list(data.get("questions") or ()),
        "page_url": data.get("page_url"),
        "since": asked["at"],
    }


# The events that end a task as failed, and the reason each gives.
FAILING = ("task.failed", "application.failed", "human.timeout")


def failure(timeline: list[dict[str, Any]], outcome: str | None) -> dict[str, Any] | None:
    """Why a failed task failed: the reason and message of the event that ended it."""
    if outcome != "FAILED":
        return None
    ended = next((e for e in reversed(timeline) if e["type"] in FAILING and e["applied"]), None)
    if ended is None:
        return None
    if ended["type"] == "human.timeout":
        waited = float(ended["data"].get("waited_s") or 0)
        return {"reason": "human_timeout", "message": f"nobody helped within {waited:.0f} s", "at": ended["at"]}
    data = ended["data"]
    return {"reason": data.get("reason"), "message": data.get("message"), "at": ended["at"]}


def screenshots(timeline: list[dict[str, Any]], stored: list[str]) -> list[str]:
    named = [e["data"][f] for e in timeline for f in SCREENSHOT_FIELDS if e["data"].get(f)]
    return sorted(set(named) | set(stored))


def detail(
    row: asyncpg.Record, events: list[asyncpg.Record], stored_screens: list[str], trace_url: str | None = None
) -> dict[str, Any]:
    timeline = [event(e) for e in events]
    tokens, usage = spent(timeline)
    return {
        **summary(row),
        "job_key": row["job_key"],
        "resume_id": str(row["resume_id"]) if row["resume_id"] else None,
        "trace_id": row["trace_id"],
        "trace_url": trace_url,
        "waiting": waiting(timeline, row["state"]),
        "failure": failure(timeline, row["outcome"]),
        "timeline": timeline,
        "screenshots": screenshots(timeline, stored_screens),
        "receipt": receipt(timeline),
        "review": review(timeline, row["state"]),
        "tokens": tokens,  # the model's tokens (input, output, cache) the task spent; 0 without the agent
        "usage": usage,
    }
