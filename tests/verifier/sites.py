"""The sandbox's sites driven over plain HTTP, as far as the verifier's tests need: what an executor
would have done before it asks for a code, a link or a proof."""

from typing import Any

import httpx

from sandbox.countries import dial_labels
from tests.sandbox.harness import Sandbox, make_pdf

WORKDAY_PASSWORD = "Sandbox!Pass1"


def _answer(question: dict[str, Any]) -> str | list[str]:
    if question["options"]:
        return [question["options"][0]] if question["kind"] == "multi" else question["options"][0]
    return "https://www.linkedin.com/in/ada-example" if question["key"] == "linkedin" else "Yes"


def greenhouse_form(sandbox: Sandbox, job: dict[str, Any], email: str) -> dict[str, Any]:
    city = sandbox.get("/greenhouse/api/locations", q="an")["results"][0]
    form: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Example",
        "email": email,
        "phone": "+1 415 555 0100",
        "country": next(label for label in dial_labels("greenhouse") if label.startswith("United States")),
        "candidate-location": city,
    }
    form |= {q["id"]: _answer(q) for q in job["questions"] if q["required"]}
    return form


def post_greenhouse(sandbox: Sandbox, job: dict[str, Any], form: dict[str, Any]) -> httpx.Response:
    resume = {"resume": ("Ada_Example_Resume.pdf", make_pdf("Ada Example"), "application/pdf")}
    return sandbox.client.post(job["url"], data=form, files=resume)


def create_workday_account(sandbox: Sandbox, job: dict[str, Any], email: str) -> httpx.Response:
    form = {"email": email, "password": WORKDAY_PASSWORD, "verifyPassword": WORKDAY_PASSWORD}
    return sandbox.client.post(
        job["url"] + "/apply/applyManually/createAccount", data=form | {"createAccountCheckbox": "true"}
    )
