"""Every route of the HTTP API, gathered for app.py."""

from starlette.routing import BaseRoute

from runtime.service import Service
from services.intake import (
    accounts,
    answers,
    credentials,
    live_view,
    mailbox,
    notify,
    openapi,
    privacy,
    profiles,
    resumes,
    review,
    task_files,
    tasks,
)


def routes(svc: Service) -> list[BaseRoute]:
    return [
        *accounts.routes(svc),
        *tasks.routes(svc),
        *review.routes(svc),
        *answers.routes(svc),
        *live_view.routes(svc),
        *task_files.routes(svc),
        *notify.routes(svc),
        *resumes.routes(svc),
        *profiles.routes(svc),
        *privacy.routes(svc),
        *credentials.routes(svc),
        *mailbox.routes(svc),
        *openapi.routes(),
    ]
