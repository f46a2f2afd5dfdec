"""Accepted applications, kept in memory and appended as JSON lines so tests can assert what arrived."""

import hashlib
import json
import secrets
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FieldValue = str | list[str]


@dataclass(frozen=True)
class ReceivedFile:
    field: str
    filename: str
    content_type: str
    size: int
    sha256: str

    @classmethod
    def of(cls, field_name: str, filename: str, content_type: str, data: bytes) -> "ReceivedFile":
        return cls(field_name, filename, content_type, len(data), hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class Submission:
    confirmation_id: str
    site: str
    job_id: str
    company: str
    email: str
    fields: dict[str, FieldValue]
    files: list[ReceivedFile]
    received_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def confirmation_id(site: str) -> str:
    prefix = {"greenhouse": "GH", "lever": "LV", "ashby": "AB", "workday": "WD", "linkedin": "LI"}
    return f"{prefix.get(site, 'CR')}-{secrets.token_hex(6).upper()}"


class Records:
    def __init__(self, state_dir: Path) -> None:
        self._items: list[Submission] = []
        self._path = state_dir / "submissions.jsonl"
        self._uploads = state_dir / "uploads"
        self._uploads.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def add(self, submission: Submission) -> None:
        with self._lock:
            self._items.append(submission)
            with self._path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(submission.as_json()) + "\n")

    def keep_upload(self, data: bytes) -> None:
        """Uploaded bytes, stored by their sha256, so a failing test can look at what was sent."""
        target = self._uploads / hashlib.sha256(data).hexdigest()
        if not target.exists():
            target.write_bytes(data)

    def find(self, site: str | None = None, job_id: str | None = None, email: str | None = None) -> list[Submission]:
        email = email.lower() if email else None
        return [
            s
            for s in self._items
            if (site is None or s.site == site)
            and (job_id is None or s.job_id == job_id)
            and (email is None or s.email == email)
        ]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
