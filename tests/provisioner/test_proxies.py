"""Proxies for real: the exit IP through an authenticating proxy, a proxy that does not answer, the
relay that gives Chromium its credentials, and passwords sealed at rest."""

import os
import uuid
from collections.abc import Callable

import pytest

from autoapply.local.ports import free_port
from services.provisioner import proxies, vault
from services.provisioner.proxies import ProxyError
from tests.provisioner.conftest import PROXY_EXIT_IP, ProxyServer

pytestmark = pytest.mark.integration


async def test_the_exit_ip_is_seen_through_the_proxy(echo_url: str, proxy_factory: Callable[[], ProxyServer]) -> None:
    proxy = proxies.parse(proxy_factory().url)
    assert await proxies.exit_ip(proxy, echo_url, 5) == PROXY_EXIT_IP
    assert (
        await proxies.exit_ip(
            proxies.Proxy("http", "127.0.0.1", int(echo_url.split(":")[2].split("/")[0])), echo_url, 5
        )
        != PROXY_EXIT_IP
    )


async def test_wrong_credentials_and_a_dead_proxy_are_clear_errors(
    echo_url: str, proxy_factory: Callable[[], ProxyServer]
) -> None:
    server = proxy_factory()
    wrong = proxies.Proxy("http", "127.0.0.1", server.port, server.user, "wrong")
    with pytest.raises(ProxyError, match="HTTP 407"):
        await proxies.exit_ip(wrong, echo_url, 5)
    dead = proxies.Proxy("http", "127.0.0.1", free_port(), "u", "p")
    with pytest.raises(ProxyError, match="did not answer") as caught:
        await proxies.exit_ip(dead, echo_url, 5)
    assert "p@" not in str(caught.value)  # credentials never reach an error message


@pytest.mark.unit
def test_a_sealed_password_opens_only_with_its_key_and_its_proxy() -> None:
    key = vault.derive_key(os.urandom(32).hex())
    owner = str(uuid.uuid4())
    sealed = vault.seal(key, "s3cret", owner)
    assert b"s3cret" not in sealed and vault.unseal(key, sealed, owner) == "s3cret"
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        vault.unseal(key, sealed, str(uuid.uuid4()))
    with pytest.raises(Exception):  # noqa: B017
        vault.unseal(vault.derive_key(os.urandom(32).hex()), sealed, owner)


@pytest.mark.unit
def test_bad_proxy_urls_say_what_is_wrong_without_the_password() -> None:
    with pytest.raises(ValueError, match="scheme") as caught:
        proxies.parse("ftp://u:hunter2@host:21")
    assert "hunter2" not in str(caught.value)
    parsed = proxies.parse("http://us%40er:p%3Ass@10.0.0.1:8080")
    assert (parsed.username, parsed.password, parsed.server) == ("us@er", "p:ss", "http://10.0.0.1:8080")
