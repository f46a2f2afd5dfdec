"""The per-user daily quota of new tasks, by plan, per UTC day: counted by the statement that writes
the task (accept_task_many, migration 0016), from the user's tasks of the day."""

from datetime import UTC, datetime, timedelta

from services.intake.errors import ApiError

# Tasks a user may start per UTC day: the plans of the original design.
DAILY_LIMIT = {"free": 5, "pro": 50}


def limit(plan: str) -> int:
    return DAILY_LIMIT.get(plan, DAILY_LIMIT["free"])


def seconds_to_midnight(now: datetime) -> int:
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds() + 0.999))


def refused(plan: str, now: datetime | None = None) -> ApiError:
    """The 429 of a task over the plan's limit, with Retry-After: the seconds to the UTC midnight."""
    most, wait = limit(plan), seconds_to_midnight(now or datetime.now(UTC))
    return ApiError(
        429,
        "quota_exceeded",
        f"the {plan} plan starts at most {most} tasks a day; try again in {wait} s",
        headers={"Retry-After": str(wait)},
        limit=most,
        retry_after_s=wait,
    )
