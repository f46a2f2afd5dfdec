"""AUTOAPPLY_LISTEN_HOST: loopback unless told otherwise; a container listens on every interface."""

import asyncio

import pytest

from runtime.errors import SettingsError
from runtime.health import HealthServer
from runtime.settings import ServiceSettings, load

pytestmark = pytest.mark.unit

BASE = {
    "AUTOAPPLY_SERVICE": "intake",
    "AUTOAPPLY_INSTANCE": "intake-1",
    "AUTOAPPLY_NATS_URL": "nats://127.0.0.1:4222",
    "AUTOAPPLY_DATABASE_URL": "postgresql://app@127.0.0.1:5432/autoapply",
    "AUTOAPPLY_REDIS_URL": "redis://127.0.0.1:6379/0",
    "AUTOAPPLY_HEALTH_PORT": "8081",
    "AUTOAPPLY_MODE": "production",
    "AUTOAPPLY_DATA_DIR": "/var/lib/autoapply",
    "AUTOAPPLY_SECRET_KEY": "k" * 64,
    "AUTOAPPLY_REPLICAS": "3",
}


def settings(monkeypatch: pytest.MonkeyPatch, **extra: str) -> ServiceSettings:
    for key, value in {**BASE, **extra}.items():
        monkeypatch.setenv(key, value)
    return load(ServiceSettings)


def test_services_listen_on_loopback_unless_told(monkeypatch: pytest.MonkeyPatch) -> None:
    assert str(settings(monkeypatch).listen_host) == "127.0.0.1"
    assert str(settings(monkeypatch, AUTOAPPLY_LISTEN_HOST="0.0.0.0").listen_host) == "0.0.0.0"


def test_a_host_name_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="AUTOAPPLY_LISTEN_HOST"):
        settings(monkeypatch, AUTOAPPLY_LISTEN_HOST="every-interface")


async def test_the_health_endpoint_binds_the_host_it_is_given() -> None:
    async def ok() -> bool:
        return True

    server = HealthServer(0, {"ok": ok}, {"service": "intake"}, host="0.0.0.0")
    await server.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /healthz HTTP/1.1\r\n\r\n")
        answer = await reader.read()
        writer.close()
        bound = server._server.sockets[0].getsockname()[0]  # type: ignore[union-attr]
    finally:
        await server.close()
    assert bound == "0.0.0.0" and answer.startswith(b"HTTP/1.1 200 OK")
