"""The job seeker's browser reaches takeover's live-view socket in a deployment: the address intake
hands out (AUTOAPPLY_TAKEOVER_PUBLIC_URL and the socket path it builds) is routed, in Kubernetes by
the Ingress to takeover's Service and on to its HTTP port, in compose by the port the provisioner
publishes for takeover; takeover serves a socket at that path; the operator page is not routed."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.routing import Match

from services.intake import live_view
from services.takeover import seeker
from tests.deploy import manifests

pytestmark = pytest.mark.unit
_DEFAULT = re.compile(r"^\$\{[A-Z0-9_]+:-([^}]*)\}$")


def _service_env(kind: str, service: str) -> tuple[dict[str, Any], dict[str, str]]:
    for doc in manifests.by_kind(kind):
        for container in doc["spec"]["template"]["spec"]["containers"]:
            env = {e["name"]: e.get("value") for e in container.get("env", [])}
            if env.get("AUTOAPPLY_SERVICE") == service:
                return doc, env
    raise AssertionError(f"no {kind} runs {service}")


def _socket_path(public_url: str) -> tuple[str, str, str]:
    """(scheme, host, path) of the socket intake hands out for a ticket into a task's live view."""
    parts = urlsplit(live_view._socket_url(public_url, uuid.uuid4(), "ticket"))
    return parts.scheme, parts.netloc, parts.path


def _routed(rule: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The backend of the longest Prefix path matching `path` element by element, as Kubernetes says."""
    wanted = [p for p in path.split("/") if p]
    best: tuple[int, dict[str, Any]] | None = None
    for entry in rule["http"]["paths"]:
        assert entry["pathType"] == "Prefix", entry
        prefix = [p for p in entry["path"].split("/") if p]
        if wanted[: len(prefix)] == prefix and (best is None or len(prefix) > best[0]):
            best = (len(prefix), entry["backend"]["service"])
    return best[1] if best else None


def _rule(host: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for ingress in manifests.by_kind("Ingress"):
        for rule in ingress["spec"]["rules"]:
            if rule.get("host") == host:
                return ingress, rule
    raise AssertionError(f"no Ingress rule for {host}")


def _reaches(backend: dict[str, Any], service: str) -> None:
    """The Service the Ingress names selects the service's pods and ends on its HTTP port."""
    workload, env = _service_env("Deployment", service)
    (svc,) = [s for s in manifests.by_kind("Service") if s["metadata"]["name"] == backend["name"]]
    labels = workload["spec"]["template"]["metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= labels.items(), (backend, service)
    (port,) = [p for p in svc["spec"]["ports"] if p["name"] == backend["port"]["name"]]
    containers = workload["spec"]["template"]["spec"]["containers"]
    named = {p["name"]: p["containerPort"] for c in containers for p in c["ports"]}
    assert named[port["targetPort"]] == int(env["AUTOAPPLY_HTTP_PORT"]), (backend, service)


def test_the_ingress_routes_the_live_view_socket_intake_hands_out_to_takeover() -> None:
    _, intake = _service_env("Deployment", "intake")
    scheme, host, path = _socket_path(intake["AUTOAPPLY_TAKEOVER_PUBLIC_URL"])
    assert scheme == "wss", "the page is served over https: its socket must be wss"
    ingress, rule = _rule(host)
    assert any(host in t["hosts"] and t["secretName"] for t in ingress["spec"]["tls"])
    backend = _routed(rule, path)
    assert backend is not None and backend["name"] == "takeover", (path, rule)
    _reaches(backend, "takeover")
    assert any(r.matches({"type": "websocket", "path": path})[0] == Match.FULL for r in seeker.ROUTES), path
    # The live host is for the sockets: the operator page (/, /login, /interventions) is not routed.
    for page in ("/", "/login", "/interventions/1"):
        assert _routed(rule, page) is None, page


def test_the_ingress_serves_the_page_that_opens_it_over_tls() -> None:
    _, intake = _service_env("Deployment", "intake")
    page = urlsplit(intake["AUTOAPPLY_PUBLIC_URL"])
    assert page.scheme == "https"
    ingress, rule = _rule(page.netloc)
    assert any(page.netloc in t["hosts"] for t in ingress["spec"]["tls"])
    backend = _routed(rule, "/app/tasks/1")
    assert backend is not None and backend["name"] == "intake"
    _reaches(backend, "intake")


def _default(value: str) -> str:
    found = _DEFAULT.match(value)
    return found.group(1) if found else value


def test_compose_publishes_the_port_intake_sends_the_page_to() -> None:
    services = manifests.compose()["services"]
    scheme, host, path = _socket_path(_default(services["intake"]["environment"]["AUTOAPPLY_TAKEOVER_PUBLIC_URL"]))
    assert scheme == "ws" and path.startswith("/api/v1/tasks/")
    address, _, port = host.rpartition(":")
    published = {p.rsplit(":", 1)[0]: p.rsplit(":", 1)[1] for p in services["provisioner"]["ports"]}
    assert published.get(f"{address}:{port}") == services["takeover"]["environment"]["AUTOAPPLY_HTTP_PORT"]
    assert services["takeover"]["network_mode"] == "service:provisioner"  # so the provisioner's port is takeover's
