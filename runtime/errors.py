"""Errors whose type carries the retry decision (STYLE 8)."""


class TransientError(Exception):
    """Worth another try later: the message is nak'ed with a delay, bounded by max_deliver."""

    def __init__(self, message: str, delay_s: float | None = None) -> None:
        super().__init__(message)
        self.delay_s = delay_s


class PermanentError(Exception):
    """No retry can fix it: the message is terminated and copied to the dead letters."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SettingsError(SystemExit):
    """A setting is missing or wrong: the process stops at start, saying which."""


class DependencyDown(TransientError):
    """PostgreSQL, Redis or NATS is unreachable: retried later, never counted toward the dead letters."""


class RefusedToStart(SystemExit):
    """The servers disagree with what this service declares (config drift, fewer replicas): it stops."""
