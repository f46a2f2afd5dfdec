"""The pure parts of the local stack: argument parsing, config text, flags, identity rules, rendering."""

from __future__ import annotations

from pathlib import Path

import pytest

from autoapply.cli import parse_instances, render_status
from autoapply.local import ports, procs
from autoapply.local.chromium import BLOCK_DNS_FLAG, chromium_flags
from autoapply.local.nats import NatsServer
from autoapply.local.services import ServiceInstance, Wiring
from autoapply.stack import Stack

pytestmark = pytest.mark.unit


def test_instances_parse_and_bad_input_is_named() -> None:
    assert parse_instances(["executor=2", "verifier=0"]) == {"executor": 2, "verifier": 0}
    for bad, message in (
        ("executor", "SERVICE=N"),
        ("mailer=1", "SERVICE one of"),
        ("executor=-1", "from 0"),
        ("executor=99", "from 0 to 16"),
    ):
        with pytest.raises(ValueError, match=message):
            parse_instances([bad])


def test_nats_config_syncs_every_write_and_listens_on_loopback(tmp_path: Path) -> None:
    text = NatsServer(tmp_path, 14222, 18222).config_text()
    assert 'listen: "127.0.0.1:14222"' in text and 'http: "127.0.0.1:18222"' in text
    assert "sync_interval: always" in text and "max_file_store:" in text and "server_name:" in text


def test_the_dns_blocking_flag_is_only_added_when_asked() -> None:
    assert BLOCK_DNS_FLAG not in chromium_flags()
    assert BLOCK_DNS_FLAG in chromium_flags(block_dns=True)


@pytest.mark.parametrize(
    ("stored", "current", "same"),
    [
        (["/usr/bin/redis-server", "--port", "1"], ["/usr/bin/redis-server 127.0.0.1:1", "", ""], True),
        (["/usr/bin/chromium", "--headless"], ["/bin/sh", "/usr/bin/chromium", "--headless"], True),
        (["/usr/bin/chromium", "--headless"], ["/usr/lib/chromium/chromium", "--headless"], True),
        (["/venv/bin/nats-server", "-c", "x"], ["sleep", "300"], False),
        (["/venv/bin/python", "-m", "services.intake"], ["/usr/bin/python3", "other.py"], False),
    ],
)
def test_a_process_is_recognised_by_its_program(stored: list[str], current: list[str], same: bool) -> None:
    assert procs._same_program(stored, current) is same


def test_free_ports_differ_and_avoid_the_ephemeral_range() -> None:
    picked = {ports.free_port() for _ in range(20)}
    assert len(picked) == 20
    assert all(p < ports.ephemeral_start() for p in picked)


def test_status_renders_a_table() -> None:
    part = {"healthy": True, "running": True, "pid": 7, "url": "nats://127.0.0.1:1"}
    report = {
        "healthy": True,
        "parts": {"nats": part},
        "dead_letters": 0,
        "streams": {"EV": {"messages": 3, "consumers": {"c": {"pending": 1, "ack_pending": 2, "redelivered": 0}}}},
    }
    text = render_status(report)
    assert "nats" in text and "healthy" in text and "dead letters: 0" in text
    assert [line.split() for line in text.splitlines() if line.strip().startswith("c ")] == [["c", "1", "2", "0"]]


@pytest.mark.parametrize(("slots", "workers"), [(None, "4"), ("6", "6")])
def test_an_executor_takes_as_many_tasks_as_there_are_browser_slots(
    slots: str | None, workers: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUTOAPPLY_WORKERS", raising=False)
    if slots is None:
        monkeypatch.delenv("AUTOAPPLY_BROWSER_SLOTS", raising=False)
    else:
        monkeypatch.setenv("AUTOAPPLY_BROWSER_SLOTS", slots)
    wiring = Wiring("nats://127.0.0.1:1", "postgresql://x@127.0.0.1:2/db", "redis://127.0.0.1:3/0", tmp_path, "k" * 64)

    def env(service: str) -> dict[str, str]:
        made = ServiceInstance(
            service, 2, wiring, health_port=1, http_port=None, log=tmp_path, pid_file=tmp_path / "p", cwd=tmp_path
        )
        return made.own_env()

    assert env("executor")["AUTOAPPLY_WORKERS"] == workers
    assert "AUTOAPPLY_WORKERS" not in env("verifier")
    monkeypatch.setenv("AUTOAPPLY_WORKERS", "3")  # the operator's own choice wins
    assert "AUTOAPPLY_WORKERS" not in env("executor")


def test_intake_instances_share_the_apis_one_port_and_the_others_keep_their_own(tmp_path: Path) -> None:
    stack = Stack(tmp_path)
    wiring = Wiring("nats://127.0.0.1:1", "postgresql://x@127.0.0.1:2/db", "redis://127.0.0.1:3/0", tmp_path, "k" * 64)
    state = {"ports": {}, "instances": {"intake": 2, "takeover": 2}}
    made = {i.name: i for i in stack.instances(state, wiring)}
    first, second = made["intake-1"], made["intake-2"]
    assert first.http_port == second.http_port and first.health_port != second.health_port
    assert made["takeover-1"].http_port != made["takeover-2"].http_port
    envs = [first.own_env(), second.own_env()]
    assert all(e["AUTOAPPLY_HTTP_REUSE_PORT"] == "true" and e["AUTOAPPLY_INSTANCES"] == "2" for e in envs)
    assert made["takeover-1"].own_env()["AUTOAPPLY_INTAKE_URL"].endswith(f":{first.http_port}")
    alone = Stack(tmp_path / "one").instances({"ports": {}, "instances": {"intake": 1}}, wiring)
    assert "AUTOAPPLY_HTTP_REUSE_PORT" not in next(i for i in alone if i.service == "intake").own_env()
