"""`autoapply plan --llm`: what the agent would draft, with provenance llm and the tokens it cost;
without a key a clear error; without --llm no call at all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoapply.cli import main
from bench._model import ModelServer
from bench._scripts import form_answers
from tests.agent.test_answers import KEY, WHY, careers_job
from tests.forms.test_fill_sandbox import LINKEDIN, PROFILE
from tests.sandbox.harness import Sandbox

pytestmark = pytest.mark.integration


@pytest.fixture
def profile_file(tmp_path: Path, resume_pdf: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(
        PROFILE.format(email="ada.plan@example.org", linkedin=LINKEDIN, resume=resume_pdf), encoding="utf-8"
    )
    return path


def test_plan_with_llm_shows_the_drafts_and_their_tokens(
    sandbox: Sandbox,
    profile_file: Path,
    model_server: ModelServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = careers_job(sandbox)["url"]
    model_server.use(form_answers())
    assert main(["plan", url, "--profile", str(profile_file), "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert model_server.requests == [] and "llm" not in plain
    assert any(u["label"].startswith(WHY) for u in plain["unresolved"])

    assert main(["plan", url, "--profile", str(profile_file), "--json", "--llm"]) == 2
    assert "AUTOAPPLY_ANTHROPIC_API_KEY" in capsys.readouterr().err

    monkeypatch.setenv("AUTOAPPLY_ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("AUTOAPPLY_ANTHROPIC_BASE_URL", model_server.url)
    monkeypatch.setenv("AUTOAPPLY_LLM_BUDGET_USD", "0.5")
    assert main(["plan", url, "--profile", str(profile_file), "--json", "--llm"]) == 0
    drafted = json.loads(capsys.readouterr().out)
    why = next(f for f in drafted["fields"] if f["label"].startswith(WHY))
    assert why["provenance"] == "llm" and "Technical Writer" in why["value"]
    assert not any(u["label"].startswith(WHY) for u in drafted["unresolved"])
    assert any(u["label"].startswith("What are your salary") for u in drafted["unresolved"])
    assert drafted["llm"]["usage"]["calls"] == len(model_server.requests) == 1
    assert drafted["llm"]["usage"]["output_tokens"] == model_server.requests[0].usage["output_tokens"]
    assert main(["plan", url, "--profile", str(profile_file), "--llm"]) == 0
    table = capsys.readouterr().out
    assert "llm" in table and "model: claude-haiku-4-5" in table
