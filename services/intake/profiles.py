"""The profile routes: GET and PUT /api/v1/profile (contracts.profile.Profile), answer bank dated."""

import json
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from contracts.profile import BankAnswer, Profile
from runtime.service import Service
from services.intake import errors, scope, web
from services.intake.bodies import parse


def dated(new: Profile, old: Profile | None, now: datetime) -> Profile:
    """Every answer of the bank gets its date: kept where the answer is unchanged, today where new."""
    before = old.answers if old else {}
    answers: dict[str, BankAnswer] = {}
    for question, answer in new.answers.items():
        prior = before.get(question)
        same = prior is not None and (prior.answer, prior.provenance) == (answer.answer, answer.provenance)
        stamp = answer.saved_at or (prior.saved_at if same and prior else None) or now
        answers[question] = answer.model_copy(update={"saved_at": stamp})
    return new.model_copy(update={"answers": answers})


async def get_profile(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    async with scope.as_user(svc, who) as acting:
        row = await acting.conn.fetchrow("SELECT data, updated_at FROM profiles WHERE user_id = $1", who.user_id)
    if row is None:
        raise errors.ApiError(404, "no_profile", "no profile yet: PUT /api/v1/profile (or `autoapply profile import`)")
    return web.json(
        json.loads(row["data"]), headers={"Last-Modified": row["updated_at"].strftime("%a, %d %b %Y %H:%M:%S GMT")}
    )


async def put_profile(svc: Service, request: Request) -> Response:
    who = scope.principal(svc, request)
    new = await parse(request, Profile)
    async with scope.as_user(svc, who) as acting:
        raw = await acting.conn.fetchval("SELECT data FROM profiles WHERE user_id = $1 FOR UPDATE", who.user_id)
        old = Profile.model_validate_json(raw) if raw else None
        saved = dated(new, old, datetime.now(UTC))
        await acting.conn.execute(
            "INSERT INTO profiles (user_id, data) VALUES ($1, $2::jsonb) "
            "ON CONFLICT (user_id) DO UPDATE SET data = EXCLUDED.data, updated_at = now()",
            who.user_id,
            saved.model_dump_json(),
        )
    return web.json(saved.model_dump(mode="json"), 201 if old is None else 200)


def routes(svc: Service) -> list[BaseRoute]:
    return [
        web.route(svc, "/api/v1/profile", get_profile, "GET"),
        web.route(svc, "/api/v1/profile", put_profile, "PUT"),
    ]
