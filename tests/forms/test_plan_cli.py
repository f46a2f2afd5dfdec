"""`autoapply plan` on the real captures (shared ats-captures beside the repository) and its JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autoapply.cli import main
from tests.forms.support import PROFILE_YAML

pytestmark = pytest.mark.integration
CAPTURES = Path(__file__).resolve().parents[2].parent / "shared" / "ats-captures"
STANDARD = {
    "greenhouse_sonatus.html": {
        "#first_name": "Maren",
        "#email": "maren.ol@example.org",
        "#resume": "Maren_Resume.pdf",
    },
    "teamtailor_harper.html": {"#candidate_last_name": "Okafor-Lindqvist", "#candidate_phone": "+1 415 555 0134"},
    "breezyhr_demo.html": {'[name="cName"]': "Maren Okafor-Lindqvist", '[name="cEmail"]': "maren.ol@example.org"},
}
NOT_QUESTIONS = {
    "teamtailor_harper.html": ("#strictly_necessary", "#analytics", "#full_email"),
    "breezyhr_demo.html": ("#hp_7f2b",),
}


@pytest.fixture
def profile_file(tmp_path: Path) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE_YAML, encoding="utf-8")
    return path


def plan_json(target: Path, profile_file: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    assert main(["plan", str(target), "--profile", str(profile_file), "--json"]) == 0
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return report


@pytest.mark.skipif(not CAPTURES.is_dir(), reason="the shared captures are not beside this checkout")
@pytest.mark.parametrize("name", sorted(STANDARD))
def test_plan_maps_standard_fields_and_takes_no_noise(
    name: str, profile_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = plan_json(CAPTURES / name, profile_file, capsys)
    assert set(report) >= {"fields", "unresolved", "challenges", "platform"}
    fields = report["fields"]
    unresolved = report["unresolved"]
    assert isinstance(fields, list) and isinstance(unresolved, list)
    for selector, want in STANDARD[name].items():
        got = [f for f in fields if f["selector"].startswith(selector)]
        assert got and str(got[0]["value"]).endswith(want), selector
        assert got[0]["provenance"] == "profile"
    listed = [e["selector"] for e in fields + unresolved]
    for noise in NOT_QUESTIONS.get(name, ()):
        assert not any(s.startswith(noise) for s in listed), noise
    assert all(f["provenance"] in ("profile", "answer_bank", "default") for f in fields)
    assert all(u["reason"] for u in unresolved)
    assert report["challenges"] == []


def test_plan_table_and_errors(tmp_path: Path, profile_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "form.html"
    page.write_text(
        "<form><label for=fn>First name</label><input id=fn required>"
        "<label for=q1>Why do you want this job?</label><textarea id=q1 required></textarea>"
        "<script>document.title = 'scripts ran'</script></form>",
        encoding="utf-8",
    )
    assert main(["plan", str(page), "--profile", str(profile_file)]) == 0
    table = capsys.readouterr().out
    assert "First name" in table and "Maren" in table and "Why do you want this job?" in table
    assert "UNRESOLVED" in table
    bad = tmp_path / "bad.yaml"
    bad.write_text("first_name: Maren\nlast_name: O\nemail: not-an-email\n", encoding="utf-8")
    assert main(["plan", str(page), "--profile", str(bad)]) == 2
    assert "line 3: email" in capsys.readouterr().err
    assert main(["plan", str(tmp_path / "missing.html"), "--profile", str(profile_file)]) == 2
