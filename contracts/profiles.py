"""Browser profile events (provisioner)."""

from typing import Literal

from contracts.envelope import Event
from contracts.states import FailureReason


class ProfileReady(Event):
    TYPE = "profile.ready"
    type: Literal["profile.ready"] = "profile.ready"
    profile_id: str
    provider: Literal["local", "adspower"]
    platform: str
    cdp_url: str
    live_view_url: str | None = None
    # Added in the provisioner issue: what the browser looks like and where it goes out, for the
    # operator page and for the executor's exit-IP check before its first navigation.
    fingerprint: str | None = None
    exit_ip: str | None = None
    ws_url: str | None = None
    # Added with shared browsers: the CDP target id of the task's own tab. Tasks of one account share
    # the account's browser, each in a tab of its own; None from a provisioner that predates it.
    target_id: str | None = None


class ProfileFailed(Event):
    TYPE = "profile.failed"
    type: Literal["profile.failed"] = "profile.failed"
    reason: FailureReason
    message: str = ""


class ProfileReleased(Event):
    TYPE = "profile.released"
    type: Literal["profile.released"] = "profile.released"
    profile_id: str | None = None  # None when the task never had a browser
