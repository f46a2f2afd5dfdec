"""deploy/docker-compose.yml, checked as a structure: the servers and the five services, each built
from deploy/Dockerfile or a pinned image, each with a health check, told only settings it knows and
everything it needs; the browser host in one network namespace; its nats.conf loads in nats-server."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from autoapply.local.nats import nats_server_binary
from autoapply.local.services import SERVICES
from tests.deploy import manifests
from tests.deploy.manifests import DEPLOY, ROOT

pytestmark = pytest.mark.unit
SERVERS = {"nats", "postgres", "redis"}
# Everything that attaches to a browser over its loopback DevTools endpoint, and the sandbox sites
# sandbox mode's browsers may reach only on loopback.
BROWSER_HOST = {"executor", "verifier", "takeover", "sandbox"}
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?::?[-?][^}]*)?\}")


def services() -> dict[str, Any]:
    found: dict[str, Any] = manifests.compose()["services"]
    return found


def test_the_servers_the_five_services_and_the_optional_sandbox_are_there() -> None:
    assert set(services()) == SERVERS | set(SERVICES) | {"sandbox"}
    assert services()["sandbox"]["profiles"] == ["sandbox"]  # not started unless asked for
    assert all("profiles" not in spec for name, spec in services().items() if name != "sandbox")


def test_every_service_has_an_image_and_a_health_check() -> None:
    for name, spec in services().items():
        assert "image" in spec, name
        assert ":" in spec["image"] and not spec["image"].endswith(":latest"), f"{name}: pin the image"
        assert spec["healthcheck"]["test"][0] == "CMD", name
    dockerfile = DEPLOY / "Dockerfile"
    for name in [*SERVICES, "sandbox"]:
        build = services()[name]["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == dockerfile.resolve(), name


def test_each_service_is_told_only_what_it_reads_and_all_it_needs() -> None:
    for service in SERVICES:
        spec = services()[service]
        env = spec["environment"]
        assert spec["command"] == [f"services.{service}"] and env["AUTOAPPLY_SERVICE"] == service
        own = {k for k in env if k.startswith("AUTOAPPLY_")}
        assert not own - manifests.accepted(service), f"{service} is given {own - manifests.accepted(service)}"
        assert not manifests.required(service) - own, f"{service} lacks {manifests.required(service) - own}"
        assert f"127.0.0.1:{env['AUTOAPPLY_HEALTH_PORT']}/healthz" in " ".join(spec["healthcheck"]["test"])
        for server in SERVERS:
            assert spec["depends_on"][server]["condition"] == "service_healthy", (service, server)


def test_the_browser_host_shares_the_provisioners_network_and_no_two_share_a_port() -> None:
    for name in BROWSER_HOST:
        assert services()[name]["network_mode"] == "service:provisioner", name
        assert "ports" not in services()[name], f"{name}: publish ports on the provisioner, whose network it uses"
    host = ["provisioner", *sorted(BROWSER_HOST - {"sandbox"})]
    ports = [
        int(services()[n]["environment"][k])
        for n in host
        for k in ("AUTOAPPLY_HEALTH_PORT", "AUTOAPPLY_HTTP_PORT")
        if k in services()[n]["environment"]
    ]
    assert len(ports) == len(set(ports))
    published = [p.split(":")[-1] for p in services()["provisioner"]["ports"]]
    assert services()["takeover"]["environment"]["AUTOAPPLY_HTTP_PORT"] in published


def test_every_variable_the_file_reads_is_in_the_example_env_file() -> None:
    wanted = set(_VARIABLE.findall(manifests.COMPOSE.read_text()))
    example = set(manifests.env_file_keys(DEPLOY / "compose.env.example"))
    assert wanted == example, wanted ^ example


def test_the_compose_nats_config_loads(tmp_path: Path) -> None:
    text = manifests.compose()["configs"]["nats.conf"]["content"]
    (tmp_path / "nats.conf").write_text(text.replace('"/data"', json.dumps(str(tmp_path / "data"))))
    checked = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(tmp_path / "nats.conf")], capture_output=True, text=True, timeout=30
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "sync_interval: always" in text  # as the embedded stack: every write synced before its ack


def test_the_dockerfile_copies_folders_that_exist_and_runs_a_module() -> None:
    lines = (DEPLOY / "Dockerfile").read_text().splitlines()
    copied = [line.split()[1] for line in lines if line.startswith("COPY ")]
    assert copied and all((ROOT / source).exists() for source in copied), copied
    assert any(line.startswith("ENTRYPOINT") and '"-m"' in line for line in lines)
