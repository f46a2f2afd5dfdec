"""Fixtures for the agent's tests: one local Messages API server for the session, and the sandbox
and a Chromium for the package (the form engine's, on the package's event loop)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench._model import ModelServer
from tests.forms.conftest import browser, resume_pdf, sandbox

__all__ = ["browser", "model_server", "resume_pdf", "sandbox"]


@pytest.fixture(scope="session")
def model_server() -> Iterator[ModelServer]:
    """The scripted model; each test sets its own script (`use`), which also clears the record."""
    server = ModelServer().start()
    yield server
    server.stop()
