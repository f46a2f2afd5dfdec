"""deploy/kubernetes: every document valid against the Kubernetes 1.37 schemas (offline, strict),
the KEDA ScaledObject against the schema we ship, nats.conf accepted by the real nats-server, and
every variable a manifest sets known to the settings of the service it is given to."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from autoapply.local.nats import nats_server_binary
from autoapply.local.services import SERVICES
from contracts.streams import EVENTS_STREAM
from runtime.settings import load
from services.executor import app as executor_app
from services.provisioner import app as provisioner_app
from services.provisioner.settings import ProvisionerSettings
from tests.deploy import manifests
from tests.deploy.manifests import DEPLOY, KUBERNETES

pytestmark = pytest.mark.unit
KUBERNETES_VERSION = "1.37"
KEDA_SCHEMA = DEPLOY / "schemas" / "keda-scaledobject-v1alpha1.json"
SECRETS_EXAMPLE = KUBERNETES / "secrets.env.example"


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the network fails the test: the schemas must be the bundled ones."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the validation tried to connect to {args[1:]}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def containers() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(workload name, pod spec, container) of every Deployment and StatefulSet."""
    found = []
    for kind in ("Deployment", "StatefulSet"):
        for doc in manifests.by_kind(kind):
            pod = doc["spec"]["template"]["spec"]
            found += [(doc["metadata"]["name"], pod, c) for c in pod["containers"]]
    return found


def service_containers() -> list[tuple[str, dict[str, Any], dict[str, Any], str]]:
    found = []
    for workload, pod, container in containers():
        env = {e["name"]: e.get("value") for e in container.get("env", [])}
        if "AUTOAPPLY_SERVICE" in env:
            found.append((workload, pod, container, str(env["AUTOAPPLY_SERVICE"])))
    return found


def common_settings() -> dict[str, str]:
    (config,) = [d for d in manifests.by_kind("ConfigMap") if d["metadata"]["name"] == "autoapply-settings"]
    data: dict[str, str] = config["data"]
    return data


def test_every_document_is_valid_against_the_bundled_kubernetes_schemas(offline: None) -> None:
    checked = []
    for path, doc in manifests.documents():
        if doc["apiVersion"].startswith("keda.sh/"):
            continue  # not a Kubernetes kind: checked against KEDA's schema below
        if doc["kind"] == "Kustomization":
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.name}: {doc['kind']}/{doc['metadata']['name']}: {exc.path}: {exc.message}")
        checked.append(doc["kind"])
    assert {"StatefulSet", "Deployment", "Service", "ConfigMap", "PodDisruptionBudget"} <= set(checked)


def test_a_broken_manifest_is_caught(offline: None) -> None:
    (deployment, *_) = manifests.by_kind("Deployment")
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = ["one"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
    broken = json.loads(json.dumps(deployment))
    broken["spec"]["replica"] = 2  # a typo the strict schema refuses
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    files = {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    namespaces = {
        doc["metadata"].get("namespace") for _, doc in manifests.documents() if doc["kind"] != "Kustomization"
    }
    assert namespaces == {"autoapply", None}  # None: the Namespace itself


def test_the_scaled_object_matches_keda_and_names_the_executors_real_consumer() -> None:
    schema = json.loads(KEDA_SCHEMA.read_text())
    (scaled,) = manifests.by_kind("ScaledObject")
    jsonschema.validate(scaled, schema)
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "nats-jetstream"
    assert trigger["metadata"]["stream"] == EVENTS_STREAM
    assert trigger["metadata"]["consumer"] == executor_app.PROFILE_READY.durable
    # KEDA asks the consumer leader at <server name>.<endpoint>: the headless service's name.
    assert trigger["metadata"]["natsServerMonitoringEndpoint"].startswith("nats-headless.")
    target = scaled["spec"]["scaleTargetRef"]["name"]
    runs = {service for workload, _, _, service in service_containers() if workload == target}
    assert "executor" in runs
    broken = json.loads(json.dumps(scaled))
    del broken["spec"]["triggers"][0]["metadata"]["consumer"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_every_service_runs_with_settings_it_knows_and_none_it_needs_missing() -> None:
    common = set(common_settings())
    secrets = set(manifests.env_file_keys(SECRETS_EXAMPLE))
    assert common <= manifests.accepted_by_any(), common - manifests.accepted_by_any()
    assert secrets <= manifests.accepted_by_any(), secrets - manifests.accepted_by_any()
    seen = set()
    for workload, _, container, service in service_containers():
        own = {e["name"] for e in container["env"] if e["name"].startswith("AUTOAPPLY_")}
        unknown = own - manifests.accepted(service)
        assert not unknown, f"{workload}/{container['name']} sets {unknown}, which {service} does not read"
        missing = manifests.required(service) - own - common - secrets
        assert not missing, f"{workload}/{container['name']} lacks {missing}"
        assert container["args"] == [f"services.{service}"]
        seen.add(service)
    assert seen == set(SERVICES)


def test_every_service_is_probed_on_its_own_health_port_and_asks_for_resources() -> None:
    for workload, pod, container, service in service_containers():
        env = {e["name"]: e.get("value") for e in container["env"]}
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            check = container[probe]["httpGet"]
            assert check["path"] == "/healthz", (workload, service, probe)
            assert ports[check["port"]] == int(env["AUTOAPPLY_HEALTH_PORT"]), (workload, service, probe)
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]), (workload, service)
        health = [int(e["value"]) for c in pod["containers"] for e in c["env"] if e["name"] == "AUTOAPPLY_HEALTH_PORT"]
        assert len(health) == len(set(health)), f"{workload}: containers of one pod share its ports"
    assert common_settings()["AUTOAPPLY_LISTEN_HOST"] == "0.0.0.0"  # else the kubelet's probes cannot reach them


def test_the_browser_slot_sizing_is_requested_where_the_browsers_run() -> None:
    # A browser slot is about 1.5 vCPU and 4 GB (the original design); Chromium runs in the provisioner.
    for _, _, container, service in service_containers():
        if service == "provisioner":
            env = {e["name"]: e.get("value") for e in container["env"]}
            slots = int(env["AUTOAPPLY_BROWSER_SLOTS"])
            requests = container["resources"]["requests"]
            assert _cpu(requests["cpu"]) >= 1.5 * slots and _gib(requests["memory"]) >= 4 * slots


def _cpu(value: str) -> float:
    return int(value[:-1]) / 1000 if value.endswith("m") else float(value)


def _gib(value: str) -> float:
    assert value.endswith("Gi"), value
    return float(value[:-2])


def test_nats_is_three_nodes_of_the_tested_server_version_and_its_config_loads(tmp_path: Path) -> None:
    (statefulset,) = manifests.by_kind("StatefulSet")
    assert statefulset["spec"]["replicas"] == int(common_settings()["AUTOAPPLY_REPLICAS"]) == 3
    image = statefulset["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image.split(":")[1].startswith(_wheel_server_version() + "-"), image
    (config,) = [d for d in manifests.by_kind("ConfigMap") if d["metadata"]["name"] == "nats-config"]
    text = config["data"]["nats.conf"].replace('"/data"', json.dumps(str(tmp_path / "data")))
    text = text.replace('"/var/run/nats/nats.pid"', json.dumps(str(tmp_path / "nats.pid")))
    (tmp_path / "nats.conf").write_text(text)
    for node in range(3):
        assert f"nats-{node}.nats-headless.autoapply.svc.cluster.local:6222" in text
    checked = subprocess.run(
        [str(nats_server_binary()), "-t", "-c", str(tmp_path / "nats.conf")],
        env={"POD_NAME": "nats-0"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _wheel_server_version() -> str:
    out = subprocess.run([str(nats_server_binary()), "--version"], capture_output=True, text=True, timeout=30)
    return out.stdout.strip().split()[-1].lstrip("v")


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_the_browser_host_offers_its_browsers_through_the_relay_on_the_pods_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ((workload, pod, provisioner),) = [(w, p, c) for w, p, c, s in service_containers() if s == "provisioner"]
    env = _env(provisioner)
    assert env["POD_IP"] == {"fieldRef": {"fieldPath": "status.podIP"}}
    assert env["AUTOAPPLY_DEVTOOLS_RELAY_PUBLIC_HOST"] == "$(POD_IP)"
    # The settings the provisioner would load there (the kubelet fills in $(POD_IP)).
    given = {**common_settings(), **{k: v for k, v in env.items() if isinstance(v, str)}}
    given |= {"AUTOAPPLY_DEVTOOLS_RELAY_PUBLIC_HOST": "10.0.3.7", "AUTOAPPLY_INSTANCE": "provisioner-x"}
    secrets = {"DATABASE_URL": "postgresql://db/x", "REDIS_URL": "redis://r", "SECRET_KEY": "s" * 64}
    given |= {f"AUTOAPPLY_{name}": value for name, value in secrets.items()}
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    relay = provisioner_app.make_relay(load(ProvisionerSettings))
    assert relay is not None and relay.base == f"10.0.3.7:{env['AUTOAPPLY_DEVTOOLS_RELAY_PORT']}"
    ports = {p["name"]: p["containerPort"] for p in provisioner["ports"]}
    assert ports["devtools"] == relay.port
    # Only the pods that attach to browsers may reach the relay's port.
    (policy,) = manifests.by_kind("NetworkPolicy")
    assert policy["spec"]["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": workload}
    relay_rule = next(r for r in policy["spec"]["ingress"] if r.get("from"))
    assert [p["port"] for p in relay_rule["ports"]] == [relay.port]
    allowed = relay_rule["from"][0]["podSelector"]["matchLabels"]
    for kind in ("Deployment", "StatefulSet"):
        for doc in manifests.by_kind(kind):
            runs = {s for w, _, _, s in service_containers() if w == doc["metadata"]["name"]}
            if runs & {"executor", "verifier", "takeover"}:
                assert allowed.items() <= doc["spec"]["template"]["metadata"]["labels"].items(), doc["metadata"]["name"]
    assert len(pod["containers"]) == 1  # nothing else shares the browsers' loopback


def test_the_executors_scale_apart_from_the_browser_host_up_to_its_slots() -> None:
    (scaled,) = manifests.by_kind("ScaledObject")
    target = scaled["spec"]["scaleTargetRef"]["name"]
    ((_, pod, executor),) = [(w, p, c) for w, p, c, s in service_containers() if s == "executor"]
    assert [c["args"] for c in pod["containers"]] == [["services.executor"]]  # not in the browser host's pod
    env = _env(executor)
    ((_, _, provisioner),) = [(w, p, c) for w, p, c, s in service_containers() if s == "provisioner"]
    slots = int(_env(provisioner)["AUTOAPPLY_BROWSER_SLOTS"])
    most = scaled["spec"]["maxReplicaCount"]
    assert target == "executor" and most > 1
    assert int(env["AUTOAPPLY_BROWSER_SLOTS"]) == slots
    assert int(env["AUTOAPPLY_INSTANCES"]) == most and most * int(env["AUTOAPPLY_WORKERS"]) <= slots
