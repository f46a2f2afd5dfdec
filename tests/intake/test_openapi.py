"""The OpenAPI document at /openapi.json, and schemathesis generating requests from it against a
real intake: whatever it sends, no answer is a server error."""

import asyncio

import httpx
import pytest

from tests.intake.client import Intake, ready_user

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api_auth(intake: Intake) -> dict[str, str]:
    async def make() -> dict[str, str]:
        async with httpx.AsyncClient(base_url=intake.url, timeout=10) as http:
            user, _ = await ready_user(http)
        return user.auth

    return asyncio.run(make())


# These end the session the generated requests use; test_accounts.py and test_privacy.py cover them.
SKIPPED = {("POST", "/api/v1/auth/logout"), ("DELETE", "/api/v1/me")}


@pytest.mark.timeout(900)
def test_no_request_makes_a_server_error(intake: Intake, api_auth: dict[str, str]) -> None:
    # Imported here, not at collection: schemathesis and hypothesis take seconds to import (and
    # pytest rewrites their asserts), and every xdist worker collects this module.
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_url(f"{intake.url}/openapi.json")
    tried = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=api_auth, checks=[not_a_server_error], timeout=30)

        fuzz()
        tried.append(f"{operation.method.upper()} {operation.path}")
    assert len(tried) >= 14, tried


async def test_the_document_describes_every_route(http: httpx.AsyncClient) -> None:
    doc = (await http.get("/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    assert {"/api/v1/tasks", "/api/v1/tasks/{task_id}", "/api/v1/profile", "/api/v1/resumes"} <= set(doc["paths"])
    assert "Profile" in doc["components"]["schemas"] and "NewTask" in doc["components"]["schemas"]
