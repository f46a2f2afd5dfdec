"""One behaviour suite over both providers: local Chromium, and AdsPower through its Local API
(a local server speaking the documented API that launches real Chromium)."""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from playwright.async_api import async_playwright

from autoapply.local.ports import free_port
from services.provisioner import fingerprint, proxies
from services.provisioner.fingerprint import Fingerprint
from services.provisioner.providers import ProfileSpec, Provider
from services.provisioner.providers.adspower import AdsPowerError, AdsPowerProvider
from services.provisioner.providers.local import LocalProvider
from tests.processes import Child
from tests.provisioner.conftest import PROXY_EXIT_IP, ProxyServer
from tests.provisioner.helpers import API_KEY, start_fake

pytestmark = pytest.mark.integration
FINGERPRINT = Fingerprint(
    user_agent=fingerprint.USER_AGENTS[1], locale="en-GB", timezone="Europe/London", width=1366, height=768
)


@pytest.fixture
def fake_factory(tmp_path: Path) -> Iterator[Callable[..., tuple[Child, str]]]:
    made: list[Child] = []

    def make(*args: str, min_interval_s: float = 0.0) -> tuple[Child, str]:
        child, url = start_fake(tmp_path, *args, min_interval_s=min_interval_s)
        made.append(child)
        return child, url

    yield make
    for child in made:
        child.stop()


@pytest.fixture(params=["local", "adspower"])
async def provider(
    request: pytest.FixtureRequest, tmp_path: Path, fake_factory: Callable[..., tuple[Child, str]]
) -> AsyncIterator[Provider]:
    if request.param == "local":
        yield LocalProvider(tmp_path / "browsers", block_dns=True)
        return
    _, url = fake_factory()
    made = AdsPowerProvider(url, API_KEY, min_interval_s=0.0)
    yield made
    await made.api.close()


async def _created(provider: Provider) -> ProfileSpec:
    spec = ProfileSpec(f"profile-{time.monotonic_ns()}", FINGERPRINT)
    external = await provider.create(spec)
    return ProfileSpec(spec.profile_id, spec.fingerprint, None, external)


async def test_a_started_profile_answers_cdp_with_its_fingerprint(provider: Provider) -> None:
    spec = await _created(provider)
    try:
        session = await provider.start(spec)
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(session.cdp_url)
            page = browser.contexts[0].pages[0] if browser.contexts[0].pages else await browser.contexts[0].new_page()
            seen = await page.evaluate(
                "[navigator.userAgent, navigator.language, Intl.DateTimeFormat().resolvedOptions().timeZone]"
            )
            await browser.close()
        assert seen == [FINGERPRINT.user_agent, "en-GB", "Europe/London"]
        again = await provider.start(spec)  # already running: the same browser, not a second one
        assert again.ws_url == session.ws_url
        assert (await provider.running(spec)) is not None
    finally:
        await provider.stop(spec)
    assert await provider.running(spec) is None
    await provider.stop(spec)  # stopping a stopped browser is not an error


async def test_cookies_survive_a_restart(provider: Provider, tmp_path: Path) -> None:
    spec = await _created(provider)
    site = Child("http.server", {}, tmp_path / "site.log", args=[str(port := free_port()), "--bind", "127.0.0.1"])
    try:
        await _until_listening(port)
        url = f"http://127.0.0.1:{port}/"
        await _in_page(provider, spec, url, "document.cookie = 'seen=yes; max-age=86400'")
        await provider.stop(spec)
        assert await _in_page(provider, spec, url, "document.cookie") == "seen=yes"
    finally:
        await provider.stop(spec)
        site.stop()


async def test_a_deleted_profile_is_stopped_and_forgets_its_cookies(provider: Provider, tmp_path: Path) -> None:
    spec = await _created(provider)
    site = Child("http.server", {}, tmp_path / "site.log", args=[str(port := free_port()), "--bind", "127.0.0.1"])
    try:
        await _until_listening(port)
        url = f"http://127.0.0.1:{port}/"
        await _in_page(provider, spec, url, "document.cookie = 'seen=yes; max-age=86400'")
        pid = (await provider.start(spec)).pid
        await provider.delete(spec)  # while its browser runs, as when a user is deleted mid-task
        assert await provider.running(spec) is None
        assert pid is None or not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        await provider.delete(spec)  # deleting a deleted profile is not an error
        again = await _created_as(provider, spec.profile_id)
        session = await provider.start(again)
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(session.cdp_url)
            page = await browser.contexts[0].new_page()
            await page.goto(url)
            assert await page.evaluate("document.cookie") == ""  # the same id starts with nothing kept
            await browser.close()
        await provider.delete(again)
    finally:
        await provider.stop(spec)
        site.stop()


async def _created_as(provider: Provider, profile_id: str) -> ProfileSpec:
    external = await provider.create(ProfileSpec(profile_id, FINGERPRINT))
    return ProfileSpec(profile_id, FINGERPRINT, None, external)


async def test_a_killed_browser_is_not_running(provider: Provider) -> None:
    spec = await _created(provider)
    try:
        session = await provider.start(spec)
        port = int(session.cdp_url.rsplit(":", 1)[1])
        owner = next(c.pid for c in psutil.net_connections("tcp") if c.laddr and c.laddr.port == port and c.pid)
        psutil.Process(owner).kill()
        await _until(lambda: provider.running(spec), expect_none=True)
    finally:
        await provider.stop(spec)


async def _in_page(provider: Provider, spec: ProfileSpec, url: str, script: str) -> object:
    session = await provider.start(spec)
    async with async_playwright() as pw:
        browser = await pw.chromium.connect_over_cdp(session.cdp_url)
        page = await browser.contexts[0].new_page()
        await page.goto(url)
        result = await page.evaluate(script)
        # After a reload the cookie has been through the network process's store; a stop must keep it.
        await page.reload()
        assert await page.evaluate("document.cookie") == "seen=yes"
        await page.close()
        await browser.close()
    return result


async def _until_listening(port: int) -> None:
    for _ in range(200):
        try:
            async with httpx.AsyncClient() as client:
                await client.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except httpx.HTTPError:
            await asyncio.sleep(0.05)
    raise AssertionError("the test site did not answer")


async def _until(check: Callable[[], object], expect_none: bool) -> None:
    for _ in range(100):
        result = await check()  # type: ignore[misc]
        if (result is None) == expect_none:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the provider never noticed")


async def test_a_profile_with_a_proxy_goes_out_through_it(
    provider: Provider,
    tmp_path: Path,
    echo_url: str,
    proxy_factory: Callable[[], ProxyServer],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    server = proxy_factory()
    proxy = proxies.parse(server.url)
    made = ProfileSpec(f"profile-{time.monotonic_ns()}", FINGERPRINT, proxy)
    spec = ProfileSpec(made.profile_id, FINGERPRINT, proxy, await provider.create(made))
    try:
        session = await provider.start(spec)
        commands = _command_lines(exclude=server.child.proc.pid)
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(session.cdp_url)
            page = await browser.contexts[0].new_page()
            await page.goto(echo_url)
            seen_ip = await page.evaluate("JSON.parse(document.body.innerText).ip")
            await browser.close()
    finally:
        await provider.stop(spec)
    assert seen_ip == PROXY_EXIT_IP  # the page itself saw the proxy's exit address
    assert f"proxy authenticated GET {echo_url}" in server.child.tail()
    assert any("--proxy-server=" in c for c in commands)
    if isinstance(provider, AdsPowerProvider):  # AdsPower is told the proxy with its password, by design
        sent = [p["user_proxy_config"] for p in await _fake_profiles(provider) if p["name"] == spec.profile_id]
        assert sent == [_sent_config(server)]
        (requests_log,) = tmp_path.glob("adspower-*.log")
        assert "request POST /api/v2/browser-profile/create" in requests_log.read_text()
    secret = server.password
    assert not any(secret in c for c in commands)  # not on a command line, where ps shows it
    assert secret not in caplog.text
    # Written nowhere: the fake's request log, the browsers' and relays' logs, the profiles on disk.
    written = [f for f in tmp_path.rglob("*") if f.is_file() and not f.is_symlink()]
    assert [f.name for f in written if secret.encode() in f.read_bytes()] == []


def _command_lines(exclude: int) -> list[str]:
    """The command lines of every process this test started, but the proxy's (given its password)."""
    lines = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.pid != exclude:
                lines.append(" ".join(child.cmdline()))
        except psutil.Error:
            pass  # gone meanwhile
    return lines


def _sent_config(server: ProxyServer) -> dict[str, str]:
    return {
        "proxy_soft": "other",
        "proxy_type": "http",
        "proxy_host": "127.0.0.1",
        "proxy_port": str(server.port),
        "proxy_user": server.user,
        "proxy_password": server.password,
    }


async def _fake_profiles(ads: AdsPowerProvider) -> list[dict[str, object]]:
    async with httpx.AsyncClient(base_url=ads.api._http.base_url) as client:
        return list((await client.get("/_fake/profiles")).json())


# AdsPower only: its Local API's own ways of failing.
async def test_adspower_throttling_is_retried_without_duplicate_profiles(
    fake_factory: Callable[..., tuple[Child, str]],
) -> None:
    _, url = fake_factory(min_interval_s=0.5)
    ads = AdsPowerProvider(url, API_KEY, min_interval_s=0.1)  # faster than the server allows
    spec = ProfileSpec("profile-throttled", FINGERPRINT)
    first = await ads.create(spec)
    again = await ads.create(spec)  # a retried create finds the first one by its name
    calls = ads.api.calls
    await ads.api.close()
    async with httpx.AsyncClient() as client:
        profiles = (await client.get(f"{url}/_fake/profiles")).json()
    assert first == again and [p["name"] for p in profiles] == ["profile-throttled"]
    assert calls > 3  # the throttled calls were retried


async def test_adspower_down_or_wrong_key_is_a_clear_error(fake_factory: Callable[..., tuple[Child, str]]) -> None:
    gone = AdsPowerProvider(f"http://127.0.0.1:{free_port()}", API_KEY, min_interval_s=0)
    with pytest.raises(AdsPowerError, match="does not answer"):
        await gone.create(ProfileSpec("p", FINGERPRINT))
    await gone.api.close()
    _, url = fake_factory()
    wrong = AdsPowerProvider(url, "not-the-key", min_interval_s=0)
    with pytest.raises(AdsPowerError, match="api-key"):
        await wrong.create(ProfileSpec("p", FINGERPRINT))
    await wrong.api.close()


async def test_adspower_without_v2_falls_back_to_v1(fake_factory: Callable[..., tuple[Child, str]]) -> None:
    _, url = fake_factory("--no-v2")
    ads = AdsPowerProvider(url, API_KEY, min_interval_s=0)
    spec = await _created(ads)
    try:
        session = await ads.start(spec)
        assert session.ws_url.startswith("ws://127.0.0.1:") and ads.api.v1_only
    finally:
        await ads.stop(spec)
        await ads.api.close()
