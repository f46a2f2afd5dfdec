"""A real intake process serves Prometheus metrics on its health port and the AsyncAPI document
on its HTTP port: a task queued then cancelled is counted by consumer and outcome, by platform
and outcome, and by the seconds it spent queued."""

import datetime as dt
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from autoapply.local.nats import NatsServer
from contracts.registry import EVENT_TYPES
from contracts.tasks import TaskCancelled
from runtime.bus import Bus
from tests.processes import Child, service_env, wait_healthy
from tests.support import eventually, queued_event, unique

pytestmark = pytest.mark.integration


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


async def _scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with httpx.AsyncClient() as client:
        answer = await client.get(url, timeout=5)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    return _samples(answer.text)


async def test_intake_counts_events_outcomes_and_seconds_per_state(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path
) -> None:
    env = service_env("intake", nats.url, fresh_database, redis_url, tmp_path)
    intake = Child("services.intake", env, tmp_path / "intake.log")
    metrics_url = f"http://127.0.0.1:{env['AUTOAPPLY_HEALTH_PORT']}/metrics"
    bus = Bus([nats.url], unique("publisher"))
    queued = queued_event(platform="greenhouse")
    cancelled = TaskCancelled(
        task_id=queued.task_id, user_id=queued.user_id, occurred_at=queued.occurred_at + dt.timedelta(seconds=90)
    )
    try:
        await wait_healthy(intake)
        await bus.connect()
        await bus.publish(queued)
        await bus.publish(cancelled)

        async def counted() -> bool:
            samples = await _scrape(metrics_url)
            return _value(samples, "autoapply_applications_total", platform="greenhouse", outcome="CANCELLED") == 1

        await eventually(counted, timeout_s=30)
        samples = await _scrape(metrics_url)
        async with httpx.AsyncClient() as client:
            doc = await client.get(f"http://127.0.0.1:{env['AUTOAPPLY_HTTP_PORT']}/asyncapi.yaml", timeout=5)
    finally:
        intake.stop()
        await bus.close()
    read_model = {"consumer": "intake-read-model", "outcome": "ack"}
    assert _value(samples, "autoapply_events_handled_total", event_type="task.queued", **read_model) == 1
    assert _value(samples, "autoapply_events_handled_total", event_type="task.cancelled", **read_model) == 1
    assert (
        _value(samples, "autoapply_handler_seconds_count", consumer="intake-read-model", event_type="task.queued") == 1
    )
    assert _value(samples, "autoapply_state_seconds_count", state="QUEUED") == 1
    assert _value(samples, "autoapply_state_seconds_sum", state="QUEUED") == pytest.approx(90)
    assert _value(samples, "autoapply_consumer_pending", consumer="intake-read-model") is not None
    assert doc.status_code == 200 and doc.headers["content-type"].startswith("application/yaml")
    assert {c["title"] for c in yaml.safe_load(doc.text)["channels"].values()} == set(EVENT_TYPES)
