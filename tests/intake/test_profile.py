"""The profile over HTTP: the PROFILE file's keys, the answer bank dated, EEO declining by default."""

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from autoapply.profile_file import load
from contracts.human import HumanResolved
from contracts.states import TaskState
from services.intake.operator_answers import merged
from tests.intake.client import Intake, User, new_user
from tests.intake.test_live import publisher
from tests.support import eventually

pytestmark = pytest.mark.integration
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "profile.yaml"


async def test_put_then_get_the_example_profile(http: httpx.AsyncClient) -> None:
    user = await new_user(http)
    assert (await http.get("/api/v1/profile", headers=user.auth)).status_code == 404
    profile = load(EXAMPLE).model_dump(mode="json")
    created = await http.put("/api/v1/profile", headers=user.auth, json=profile)
    assert created.status_code == 201, created.text
    got = (await http.get("/api/v1/profile", headers=user.auth)).json()
    assert got["email"] == profile["email"] and got["preferences"] == profile["preferences"]
    assert got["answers"].keys() == profile["answers"].keys()
    assert all(a["saved_at"] and a["provenance"] == "user" for a in got["answers"].values())
    # Unchanged answers keep their date; a changed one gets a new one.
    question, first = next(iter(got["answers"].items()))
    other = next(q for q in got["answers"] if q != question)
    again = {**got, "answers": {**got["answers"], other: {"answer": "Changed"}}}
    again["answers"][question] = {"answer": first["answer"], "provenance": first["provenance"]}
    updated = (await http.put("/api/v1/profile", headers=user.auth, json=again)).json()
    assert updated["answers"][question]["saved_at"] == first["saved_at"]
    assert updated["answers"][other]["saved_at"] > first["saved_at"]


async def test_eeo_declines_by_default_and_bad_fields_are_named(http: httpx.AsyncClient) -> None:
    user = await new_user(http)
    minimal = {"first_name": "Ada", "last_name": "Example", "email": "ada@example.org"}
    saved = (await http.put("/api/v1/profile", headers=user.auth, json=minimal)).json()
    assert set(saved["eeo"].values()) == {"decline"} and saved["preferences"]["allow_llm"] is False
    bad = await http.put("/api/v1/profile", headers=user.auth, json={**minimal, "email": "nope", "shoe_size": 9})
    assert bad.status_code == 422 and {f["field"] for f in bad.json()["fields"]} == {"email", "shoe_size"}
    wrong = await http.put("/api/v1/profile", headers=user.auth, json={**minimal, "years_of_experience": "many"})
    assert [f["field"] for f in wrong.json()["fields"]] == ["years_of_experience"]


async def _resolved_with(intake: Intake, user: User, answers: dict[str, str]) -> None:
    async with publisher(intake) as bus:
        await bus.publish(
            HumanResolved(
                task_id=uuid.uuid4(),
                user_id=uuid.UUID(user.user_id),
                resolution="answered",
                operator_id=str(uuid.uuid4()),
                resume_state=TaskState.EXECUTING_RPA,
                answers=answers,
            )
        )


async def test_an_operators_answers_go_to_the_answer_bank_where_the_user_allows_it(
    http: httpx.AsyncClient, intake: Intake
) -> None:
    own = "How did you hear about this job?"
    profile = load(EXAMPLE).model_dump(mode="json")
    allowing, refusing = await new_user(http), await new_user(http)
    assert (await http.put("/api/v1/profile", headers=allowing.auth, json=profile)).status_code == 201
    no = {**profile, "preferences": {**profile["preferences"], "save_operator_answers": False}}
    assert (await http.put("/api/v1/profile", headers=refusing.auth, json=no)).status_code == 201
    answers = {"Years of Rust?": "2-4", own: "An operator's guess"}
    await _resolved_with(intake, refusing, answers)
    await _resolved_with(intake, allowing, answers)
    bank: dict[str, Any] = {}

    async def banked() -> bool:
        bank.update((await http.get("/api/v1/profile", headers=allowing.auth)).json()["answers"])
        return "Years of Rust?" in bank

    await eventually(banked, timeout_s=15)
    rust = bank["Years of Rust?"]
    assert (rust["answer"], rust["provenance"]) == ("2-4", "operator") and rust["saved_at"][:4] >= "2026"
    assert bank[own]["answer"] == "Company website" and bank[own]["provenance"] == "user"  # the user's words win
    # The refusing user's event came first and was read first: by now it was read and left alone.
    assert "Years of Rust?" not in (await http.get("/api/v1/profile", headers=refusing.auth)).json()["answers"]


def test_a_newer_operator_answer_replaces_an_older_one_and_never_the_users() -> None:
    at = datetime(2026, 11, 3, tzinfo=UTC)
    profile = load(EXAMPLE)
    first, n = merged(profile, {"Years of Rust?": "0-1", " ": "x", "Empty?": " "}, at)
    assert n == 1 and first.answers["Years of Rust?"].provenance == "operator"
    later = datetime(2026, 11, 4, tzinfo=UTC)
    second, n = merged(first, {"Years of Rust?": "2-4", "Are you at least 18 years of age?": "No"}, later)
    assert n == 1 and second.answers["Years of Rust?"].answer == "2-4"
    assert second.answers["Years of Rust?"].saved_at == later
    assert second.answers["Are you at least 18 years of age?"].answer == "Yes"
    assert merged(second, {"Years of Rust?": "2-4"}, later)[1] == 0  # the same answer again changes nothing
