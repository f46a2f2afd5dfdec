"""The provisioner as a real process: a queued task gets a proxied browser with its fingerprint,
a terminal event gives it back; a dead proxy fails the task after its retries, never unproxied."""

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.async_api import async_playwright

from autoapply import cli, profiles
from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from contracts.applications import ApplicationCompleted
from runtime.bus import Bus
from tests.processes import wait_healthy
from tests.provisioner.conftest import PROXY_EXIT_IP, ProxyServer
from tests.provisioner.helpers import API_KEY, Events, start_fake, start_provisioner
from tests.support import eventually, queued_event

pytestmark = pytest.mark.integration


async def test_a_task_gets_a_proxied_browser_and_gives_it_back(
    nats: NatsServer,
    fresh_database: str,
    redis_url: str,
    tmp_path: Path,
    echo_url: str,
    proxy_factory: Callable[[], ProxyServer],
    events: Events,
    bus: Bus,
    capsys: pytest.CaptureFixture[str],
) -> None:
    proxy = proxy_factory()
    child = start_provisioner(nats, fresh_database, redis_url, tmp_path, proxies=proxy.url, proxy_check_url=echo_url)
    try:
        await wait_healthy(child)
        task = queued_event(platform="greenhouse")
        await bus.publish(task)
        ready = await events.wait_for(task.task_id, "profile.ready")
        assert ready["exit_ip"] == PROXY_EXIT_IP and ready["fingerprint"]
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(ready["cdp_url"])
            page = browser.contexts[0].pages[0]
            await page.goto(echo_url)
            seen_ip = await page.evaluate("JSON.parse(document.body.innerText).ip")
            agent = await page.evaluate("navigator.userAgent")
            await browser.close()
        assert seen_ip == PROXY_EXIT_IP  # the browser itself goes out through the authenticated proxy
        assert ready["fingerprint"].split(",")[0].split()[0] in ("Windows", "Linux") and "HeadlessChrome" not in agent
        pid = _browser_pid(ready["cdp_url"])
        await _the_cli_shows_it(fresh_database, ready, proxy, capsys)
        await bus.publish(ApplicationCompleted(task_id=task.task_id, user_id=task.user_id))
        released = await events.wait_for(task.task_id, "profile.released")
        assert released["profile_id"] == ready["profile_id"]
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        assert [r["reason"] for r in events.of(task.task_id, "task.retrying")] == []
        assert events.types(task.task_id)[:3] == ["task.queued", "task.progress", "profile.ready"]
        # The same account gets the same profile, fingerprint and proxy next time.
        again = queued_event(platform="greenhouse", user_id=task.user_id)
        await bus.publish(again)
        second = await events.wait_for(again.task_id, "profile.ready")
        assert (second["profile_id"], second["fingerprint"]) == (ready["profile_id"], ready["fingerprint"])
    finally:
        child.stop()


async def test_an_adspower_task_goes_out_through_its_proxy_and_logs_no_password(
    nats: NatsServer,
    fresh_database: str,
    redis_url: str,
    tmp_path: Path,
    echo_url: str,
    proxy_factory: Callable[[], ProxyServer],
    events: Events,
    bus: Bus,
) -> None:
    proxy = proxy_factory()
    fake, url = start_fake(tmp_path)
    child = start_provisioner(
        nats,
        fresh_database,
        redis_url,
        tmp_path,
        proxies=proxy.url,
        proxy_check_url=echo_url,
        provider="adspower",
        adspower_url=url,
        adspower_api_key=API_KEY,
        log_level="DEBUG",  # everything it would ever log, scanned for the password below
    )
    try:
        await wait_healthy(child)
        task = queued_event(platform="greenhouse")
        await bus.publish(task)
        ready = await events.wait_for(task.task_id, "profile.ready")
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(ready["cdp_url"])
            page = await browser.contexts[0].new_page()
            await page.goto(echo_url)
            seen_ip = await page.evaluate("JSON.parse(document.body.innerText).ip")
            await browser.close()
        await bus.publish(ApplicationCompleted(task_id=task.task_id, user_id=task.user_id))
        await events.wait_for(task.task_id, "profile.released")
    finally:
        child.stop()
        fake.stop()
    assert ready["exit_ip"] == PROXY_EXIT_IP and seen_ip == PROXY_EXIT_IP
    assert f"proxy authenticated GET {echo_url}" in proxy.child.tail()
    assert "request POST /api/v2/browser-profile/start" in fake.log.read_text()
    assert child.log.read_text().strip(), "the provisioner logged nothing, so the scan below would prove nothing"
    # The provisioner's log, the fake's request log, the relay's and the browser's: none holds it.
    written = [f for f in tmp_path.rglob("*") if f.is_file() and not f.is_symlink()]
    assert [f.name for f in written if proxy.password.encode() in f.read_bytes()] == []


async def test_a_dead_proxy_fails_the_task_after_its_retries(
    nats: NatsServer,
    fresh_database: str,
    redis_url: str,
    tmp_path: Path,
    echo_url: str,
    events: Events,
    bus: Bus,
) -> None:
    dead = f"http://u:p@127.0.0.1:{free_port()}"
    child = start_provisioner(nats, fresh_database, redis_url, tmp_path, proxies=dead, proxy_check_url=echo_url)
    try:
        await wait_healthy(child)
        task = queued_event()
        await bus.publish(task)
        failed = await events.wait_for(task.task_id, "profile.failed", timeout_s=40)
        await events.wait_for(task.task_id, "profile.released")
    finally:
        child.stop()
    retries = events.of(task.task_id, "task.retrying")
    assert [r["attempt"] for r in retries] == [1, 2, 3]
    assert all("did not answer" in r["reason"] for r in retries)
    assert failed["reason"] == "provisioning_failed" and "did not answer" in failed["message"]
    assert events.of(task.task_id, "profile.ready") == []  # never sent out unproxied
    assert not list((tmp_path / "files" / "browsers").glob("*/session.json"))


async def _the_cli_shows_it(
    dsn: str, ready: dict[str, Any], proxy: ProxyServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`autoapply profiles --json` and the running-browsers lines of `autoapply status`."""
    assert await asyncio.to_thread(cli.main, ["profiles", "--database-url", dsn, "--json"]) == 0
    out = capsys.readouterr().out
    [shown] = json.loads(out)
    assert shown["profile_id"] == ready["profile_id"] and shown["state"] == "running"
    assert shown["exit_ip"] == PROXY_EXIT_IP and shown["proxy"] == f"http://127.0.0.1:{proxy.port}"
    assert 50 < shown["pss_mib"] < 2000
    assert proxy.password not in out and proxy.user not in out  # no credentials, ever
    lines = profiles.render_browsers(await asyncio.to_thread(profiles.running, dsn))
    assert ready["profile_id"][:8] in lines[1] and ready["cdp_url"] in lines[1]


def _browser_pid(cdp_url: str) -> int:
    port = int(cdp_url.rsplit(":", 1)[1])
    for conn in psutil.net_connections("tcp"):
        if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN and conn.pid:
            return int(conn.pid)
    raise AssertionError("no process listens on the CDP port")


async def test_a_task_over_its_limit_waits_and_says_why_and_until_when(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, events: Events, bus: Bus
) -> None:
    child = start_provisioner(nats, fresh_database, redis_url, tmp_path, hourly_limits='{"greenhouse": 1}')
    try:
        await wait_healthy(child)
        first = queued_event(platform="greenhouse")
        await bus.publish(first)
        await events.wait_for(first.task_id, "profile.ready")
        second = queued_event(platform="greenhouse", user_id=first.user_id)
        await bus.publish(second)
        await bus.publish(ApplicationCompleted(task_id=first.task_id, user_id=first.user_id))
        await eventually(
            lambda: any("hourly" in (e["detail"] or "") for e in events.of(second.task_id, "task.progress"))
        )
        await asyncio.sleep(3)  # several returns of the delayed nak: each reason said once, no browser
        progress = events.of(second.task_id, "task.progress")
        # A new account's first tasks arrive together: one profile is made for them all, without an
        # error (the others wait for the account's browser).
        lever = queued_event(platform="lever")
        twins = [lever, *(queued_event(platform="lever", user_id=lever.user_id) for _ in range(3))]
        await asyncio.gather(*(bus.publish(t) for t in twins))
        both = [t.task_id for t in twins]
        await eventually(lambda: any(events.of(t, "profile.ready") for t in both), timeout_s=30)
        assert len([r for t in both for r in events.of(t, "profile.ready")]) == 1
        assert "UniqueViolation" not in child.tail()
    finally:
        child.stop()
    said = [e["detail"] for e in progress]
    assert {e["state"] for e in progress} == {"PROVISIONING"} and len(said) == len(set(said))
    assert "waiting: greenhouse hourly limit for this account, until 20" in said[-1]
    assert events.of(second.task_id, "profile.ready") == []
