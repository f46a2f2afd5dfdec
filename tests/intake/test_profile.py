"""The profile over HTTP: the PROFILE file's keys, the answer bank dated, EEO declining by default."""

from pathlib import Path

import httpx
import pytest

from autoapply.profile_file import load
from tests.intake.client import new_user

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
