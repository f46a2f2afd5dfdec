"""Settings are read once and fail loudly, naming every missing or wrong variable."""

from pathlib import Path

import pytest

from autoapply.local.services import ServiceInstance, Wiring
from runtime.errors import SettingsError
from runtime.settings import ServiceSettings, load

pytestmark = pytest.mark.unit
GOOD = {
    "AUTOAPPLY_SERVICE": "verifier",
    "AUTOAPPLY_INSTANCE": "verifier-1",
    "AUTOAPPLY_NATS_URL": "nats://127.0.0.1:1,nats://127.0.0.1:2",
    "AUTOAPPLY_DATABASE_URL": "postgresql://x/y",
    "AUTOAPPLY_REDIS_URL": "redis://127.0.0.1:3/0",
    "AUTOAPPLY_HEALTH_PORT": "0",
    "AUTOAPPLY_MODE": "sandbox",
    "AUTOAPPLY_DATA_DIR": "/tmp/x",
    "AUTOAPPLY_SECRET_KEY": "k" * 32,
    "AUTOAPPLY_REPLICAS": "1",
}


def test_complete_settings_load(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GOOD.items():
        monkeypatch.setenv(key, value)
    settings = load(ServiceSettings)
    assert settings.nats_servers == ["nats://127.0.0.1:1", "nats://127.0.0.1:2"]
    assert "k" * 32 not in repr(settings)


def test_missing_and_wrong_settings_are_all_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GOOD.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AUTOAPPLY_NATS_URL")
    monkeypatch.setenv("AUTOAPPLY_MODE", "yolo")
    monkeypatch.setenv("AUTOAPPLY_SECRET_KEY", "short")
    with pytest.raises(SettingsError) as caught:
        load(ServiceSettings)
    message = str(caught.value)
    assert "AUTOAPPLY_NATS_URL" in message and "AUTOAPPLY_MODE" in message and "AUTOAPPLY_SECRET_KEY" in message
    assert "short" not in message


def test_replicas_have_no_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GOOD.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AUTOAPPLY_REPLICAS")
    with pytest.raises(SettingsError, match="AUTOAPPLY_REPLICAS"):
        load(ServiceSettings)


def test_the_embedded_stack_tells_every_service_one_replica(tmp_path: Path) -> None:
    wiring = Wiring("nats://127.0.0.1:1", "postgresql://x@127.0.0.1:2/db", "redis://127.0.0.1:3/0", tmp_path, "k" * 64)
    instance = ServiceInstance(
        "verifier",
        1,
        wiring,
        health_port=1,
        http_port=None,
        log=tmp_path / "log",
        pid_file=tmp_path / "pid",
        cwd=tmp_path,
    )
    assert instance.own_env()["AUTOAPPLY_REPLICAS"] == "1"


def test_the_executor_takes_one_flow_per_browser_slot_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.executor import app
    from services.executor.settings import ExecutorSettings

    sized_env = {"AUTOAPPLY_SERVICE": "executor", "AUTOAPPLY_BROWSER_SLOTS": "12", "AUTOAPPLY_FLOW_ACK_WAIT_S": "4"}
    for key, value in (GOOD | sized_env).items():
        monkeypatch.setenv(key, value)
    settings = load(ExecutorSettings)
    for spec in (app.PROFILE_READY, app.RESUMED):
        sized = app.flow_spec(spec, settings)
        assert (sized.max_ack_pending, sized.ack_wait_s) == (12, 4.0)
        assert sized.durable == spec.durable and sized.max_deliver == spec.max_deliver


def test_a_killed_executors_task_comes_back_within_30_s_heartbeated_every_10(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a task's browser and slot wait after its executor is killed: the flow consumers' ack wait.
    from services.executor import app
    from services.executor.settings import ExecutorSettings

    for key, value in (GOOD | {"AUTOAPPLY_SERVICE": "executor"}).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AUTOAPPLY_FLOW_ACK_WAIT_S", raising=False)
    settings = load(ExecutorSettings)
    for spec in (app.PROFILE_READY, app.RESUMED):
        sized = app.flow_spec(spec, settings)
        assert sized.ack_wait_s == 30.0
        assert sized.ack_wait_s / 3 == 10.0  # the bus's heartbeat while a handler runs (bus._process)
