"""Every log record a process makes is scrubbed on the rules of runtime.scrub: its message with
its arguments, its exception (frames and types kept, messages dropped) and its stack."""

import logging
import traceback
from collections.abc import Mapping
from types import TracebackType
from typing import Any

from runtime.scrub import scrub_text

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def scrub_exception_text(exc_info: ExcInfo) -> str:
    """A traceback with every message dropped: where it failed and what type, never the values."""
    parts: list[str] = []
    seen: set[int] = set()
    exc: BaseException | None = exc_info[1]
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = "".join(traceback.format_tb(exc.__traceback__))
        parts.insert(0, f"Traceback (most recent call last):\n{frames}{type(exc).__qualname__}\n")
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\nDuring the handling of the above, another exception occurred:\n\n".join(parts).rstrip("\n")


class _Scrubbed:
    """An argument that formats as the original would, scrubbed, for %s and %r alike."""

    def __init__(self, value: object) -> None:
        self._value = value

    def __str__(self) -> str:
        return scrub_text(str(self._value))

    def __repr__(self) -> str:
        return scrub_text(repr(self._value))


def _arg(value: object) -> object:
    if value is None or isinstance(value, (bool, int, float)):
        return value  # numbers keep %d and %.1f working
    return _Scrubbed(value)


def scrub_record(record: logging.LogRecord) -> None:
    # Arguments stay arguments: some formatters take them apart (uvicorn's access log).
    if isinstance(record.msg, str):
        record.msg = scrub_text(record.msg)
    else:
        record.msg = _Scrubbed(record.msg)
    if isinstance(record.args, Mapping):
        record.args = {key: _arg(value) for key, value in record.args.items()}
    elif record.args:
        record.args = tuple(_arg(value) for value in record.args)
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = scrub_text(scrub_exception_text(record.exc_info))
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = scrub_text(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub_text(record.stack_info)


class ScrubbingFilter(logging.Filter):
    """For a handler of its own: every record it writes is scrubbed first."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


class _ScrubbingFactory:
    """Wraps the record factory, so a record is scrubbed where it is made, whatever handles it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.inner(*args, **kwargs)
        scrub_record(record)
        return record


def scrub_logs() -> None:
    """From now on every record of every logger in this process is scrubbed (uvicorn's and
    libraries' loggers with handlers of their own too); calling it again changes nothing."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _ScrubbingFactory):
        logging.setLogRecordFactory(_ScrubbingFactory(current))


def unscrub_logs() -> None:
    """Undoes scrub_logs (for tests that must leave the process as they found it)."""
    current = logging.getLogRecordFactory()
    if isinstance(current, _ScrubbingFactory):
        logging.setLogRecordFactory(current.inner)
