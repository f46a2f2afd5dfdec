"""Per-job behaviour switches: catalog defaults, then admin overrides, then query-string overrides."""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

PHONE_FORMATS = ("any", "e164")
MAX_DELAY_MS = 30_000  # longer than any client timeout worth testing; refuse the rest


class FlagError(ValueError):
    pass


@dataclass(frozen=True)
class JobFlags:
    captcha: bool = False
    email_verify: bool = False  # Greenhouse security code; Workday account verification link
    login_wall: bool = False
    closed: bool = False
    applied: tuple[str, ...] = ()  # candidate emails this job treats as already applied
    dedupe: bool = True  # a second accepted application with the same email is refused
    phone_format: str = "any"
    delay_ms: int = 0
    daily_limit: bool = False  # LinkedIn: the member has used up today's Easy Apply applications
    lose_mail: bool = False  # the job's mails never arrive (lost on the way, or in a spam folder)
    checkpoint: bool = False  # LinkedIn: "Let's do a quick security check" before the job, once per session
    two_step: bool = False  # LinkedIn: two-step verification, a code sent to the member's phone
    sso_only: bool = False  # Workday: the tenant signs candidates in with Google only, no account of its own
    email_code: bool = False  # Workday: a new account is verified by a 6-digit code mailed to it, not a link
    # Workday: signing in to an unverified account says only "Account not verified." (no code field, no
    # word of a mail), with a button that mails the verification again (the old link stops working).
    bare_unverified: bool = False

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self) | {"applied": list(self.applied)}


FLAG_NAMES = tuple(f.name for f in dataclasses.fields(JobFlags))
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(name: str, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise FlagError(f"{name}: expected a boolean, got {raw!r}")


def _applied(raw: object) -> tuple[str, ...]:
    items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    return tuple(str(i).strip().lower() for i in items if str(i).strip())


def _delay(raw: object) -> int:
    try:
        value = int(str(raw))
    except ValueError as exc:
        raise FlagError(f"delay_ms: expected an integer, got {raw!r}") from exc
    if not 0 <= value <= MAX_DELAY_MS:
        raise FlagError(f"delay_ms: must be between 0 and {MAX_DELAY_MS}")
    return value


def _phone_format(raw: object) -> str:
    if str(raw) not in PHONE_FORMATS:
        raise FlagError(f"phone_format: one of {', '.join(PHONE_FORMATS)}")
    return str(raw)


def parse_overrides(raw: Mapping[str, object], *, strict: bool) -> dict[str, Any]:
    """Turn query parameters or admin JSON into typed overrides; unknown keys fail only when strict."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in FLAG_NAMES:
            if strict:
                raise FlagError(f"unknown flag {name!r}; known: {', '.join(FLAG_NAMES)}")
            continue
        out[name] = _convert(name, value)
    return out


def _convert(name: str, value: object) -> Any:
    if name == "applied":
        return _applied(value)
    if name == "delay_ms":
        return _delay(value)
    if name == "phone_format":
        return _phone_format(value)
    return _bool(name, value)


def flag_query(raw: Mapping[str, str]) -> str:
    """The flag part of a query string, to carry onto the next URL of a flow ("" or "?a=1&b=2")."""
    kept = {k: v for k, v in raw.items() if k in FLAG_NAMES}
    return "?" + urlencode(kept) if kept else ""


class FlagStore:
    def __init__(self) -> None:
        self._overrides: dict[tuple[str, str], dict[str, Any]] = {}

    def set(self, site: str, job_id: str, overrides: dict[str, Any]) -> None:
        self._overrides.setdefault((site, job_id), {}).update(overrides)

    def clear(self, site: str | None = None, job_id: str | None = None) -> None:
        if site is None:
            self._overrides.clear()
        else:
            self._overrides.pop((site, job_id or ""), None)

    def admin(self, base: JobFlags, site: str, job_id: str) -> JobFlags:
        return dataclasses.replace(base, **self._overrides.get((site, job_id), {}))

    def effective(self, base: JobFlags, site: str, job_id: str, query: Mapping[str, str]) -> JobFlags:
        try:
            from_query = parse_overrides(query, strict=False)
        except FlagError:
            from_query = {}
        return dataclasses.replace(self.admin(base, site, job_id), **from_query)
