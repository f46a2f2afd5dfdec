"""`autoapply demo` with an Anthropic key, as a user with one runs it: the SDK's own variables
(ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL), here pointed at the local scripted Messages API server.
Trimmed to Greenhouse, whose jobs ask "Why do you want to work at ...?" (optional, free text): the
demo user allows the model's drafts, the executor's real anthropic client writes them, and the
table's tokens column is what the server counted for each job."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoapply.local import pgroot
from bench._model import ModelServer, Recorded
from bench._scripts import form_answers
from tests.stack.helpers import CLI_TIMEOUT_S, autoapply

pytestmark = pytest.mark.integration

DEMO_TIMEOUT_S = 280.0
# Stopping a stack whose browsers and services all stop at once: over a minute on a loaded machine.
DOWN_TIMEOUT_S = 180.0
KEY = "sk-ant-demo-" + "k" * 24  # made up: the model is the local server
WHY = "Why do you want to work at"


def demo_cli(home: Path, *args: str, timeout_s: float = CLI_TIMEOUT_S, **env: str) -> subprocess.CompletedProcess[str]:
    """The CLI on this test's stack, with its own saved login."""
    env["AUTOAPPLY_CREDENTIALS"] = str(home.parent / "credentials.json")
    return autoapply(*args, "--home", str(home), timeout_s=timeout_s, env=env)


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "stack"
    yield home
    demo_cli(home, "down", timeout_s=DOWN_TIMEOUT_S)
    state = home / "stack.json"
    if state.exists():
        data_dir = json.loads(state.read_text())["parts"]["postgres"]["data_dir"]
        pgroot.remove_data_dir(Path(data_dir), home / "data" / "postgres" / "pgdata")


@pytest.fixture
def model() -> Iterator[ModelServer]:
    server = ModelServer(form_answers()).start()
    try:
        yield server
    finally:
        server.stop()


def counted(requests: list[Recorded], company: str) -> int:
    """What the server counted for one job's calls (its question names the company)."""
    return sum(sum(r.usage.values()) for r in requests if r.status == 200 and company in r.text)


def sandbox_of(home: Path) -> str:
    return f"http://127.0.0.1:{json.loads((home / 'stack.json').read_text())['ports']['sandbox']}"


@pytest.mark.timeout(DEMO_TIMEOUT_S + DOWN_TIMEOUT_S + 60)
def test_the_demo_with_a_key_drafts_with_the_model_and_fills_the_tokens_column(home: Path, model: ModelServer) -> None:
    done = demo_cli(
        home, "demo", "--unattended", "--json", "--platforms", "greenhouse", "--per-platform", "1",
        timeout_s=DEMO_TIMEOUT_S, ANTHROPIC_API_KEY=KEY, ANTHROPIC_BASE_URL=model.url,
    )  # fmt: skip
    assert done.stdout.strip(), f"no JSON from the demo (exit {done.returncode}):\n{done.stderr[-3000:]}"
    assert "model on:" in done.stderr and "up to $0.25" in done.stderr  # the demo's budget, said
    results: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])["results"]
    assert len(results) == 2 and all(r["outcome"] == "COMPLETED" for r in results), results
    requests = list(model.requests)
    assert requests and all(r.headers["x-api-key"] == KEY for r in requests)
    submitted = httpx.get(f"{sandbox_of(home)}/_admin/submissions", timeout=10).json()["submissions"]
    assert len(submitted) == 2
    drafted_jobs = 0
    for r in results:
        company = r["job"].rsplit(" at ", 1)[1]
        assert r["tokens"] == counted(requests, company), r  # the column is what the model was paid for
        [record] = [s for s in submitted if s["company"] == company]
        drafted = [str(v) for v in record["fields"].values() if f"({WHY} {company}?)" in str(v)]
        if drafted:  # the open question was drafted, with provenance llm, and sent as drafted
            assert r["provenance"].get("llm", 0) >= 1 and r["tokens"] > 0, r
            drafted_jobs += 1
        if r["provenance"].get("llm"):  # nothing has provenance llm that the model was not asked (and paid) for
            assert r["tokens"] > 0, r
    assert drafted_jobs >= 1  # Greenhouse's first job asks "Why do you want to work at ...?"
    for request in requests:  # the demo user's contact details never reach the model
        assert "@example.org" not in request.text and "Okafor" not in request.text
