"""The DevTools relay: an executor on another host attaches through it to a browser the provisioner
started and applies to a sandbox job; takeover's live view works through it; a wrong, missing or
stale token is refused; the relay stops listening when its provisioner stops."""

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from forms.fill import fill_form, submit
from runtime.bus import Bus
from runtime.errors import SettingsError
from runtime.settings import load
from services.executor.browser import Driver
from services.provisioner import devtools, fingerprint
from services.provisioner.app import make_relay
from services.provisioner.devtools import Relay, RelayedProvider, Target
from services.provisioner.ports import listening
from services.provisioner.providers import ProfileSpec, Session
from services.provisioner.providers.local import LocalProvider
from services.provisioner.settings import ProvisionerSettings
from services.takeover.liveview import LiveView
from tests.forms.test_fill_sandbox import pick, profile_for
from tests.processes import wait_healthy
from tests.provisioner.helpers import Events, start_provisioner
from tests.sandbox.harness import Sandbox, make_pdf, start_sandbox, stop_sandbox
from tests.support import queued_event

KEY = devtools.derive_key("s" * 64)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    box = start_sandbox(tmp_path_factory.mktemp("relay-sandbox") / "state")
    yield box
    box.client.close()
    stop_sandbox(box.proc)


@pytest.fixture
async def relayed(tmp_path: Path) -> AsyncIterator[tuple[RelayedProvider, Relay]]:
    relay = Relay(KEY, "127.0.0.1", 0, "127.0.0.1")
    serving = asyncio.create_task(relay.run())
    yield RelayedProvider(LocalProvider(tmp_path / "browsers", block_dns=True), relay), relay
    serving.cancel()
    await asyncio.gather(serving, return_exceptions=True)


async def _started(provider: RelayedProvider) -> tuple[ProfileSpec, Session]:
    spec = ProfileSpec(f"relay-{uuid.uuid4().hex[:8]}", fingerprint.generate())
    await provider.create(spec)
    return spec, await provider.start(spec)


def _token(session: Session) -> str:
    return session.cdp_url.rsplit("/", 1)[1]


@pytest.mark.unit
def test_a_token_names_one_browser_and_cannot_be_forged() -> None:
    target = Target(41234, str(uuid.uuid4()))
    token = devtools.sign(KEY, target)
    assert devtools.verify(KEY, token) == target
    port, browser_id, mac = token.split(".")
    forged = [
        f"{port}.{browser_id}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",  # a changed signature
        f"{int(port) + 1}.{browser_id}.{mac}",  # another port
        f"{port}.{uuid.uuid4()}.{mac}",  # another browser
        devtools.sign(devtools.derive_key("t" * 64), target),  # another deployment's key
        "",
        f"{port}.{browser_id}",
        f"99999.{browser_id}.{mac}",
    ]
    assert [devtools.verify(KEY, t) for t in forged] == [None] * len(forged)
    assert devtools.target_of(f"ws://127.0.0.1:{port}/devtools/browser/{browser_id}") == target
    assert devtools.target_of(f"ws://192.0.2.7:{port}/devtools/browser/{browser_id}") is None  # not ours to relay


@pytest.mark.unit
def test_the_relay_is_off_by_default_and_a_wildcard_address_needs_a_public_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    base = {
        "SERVICE": "provisioner",
        "INSTANCE": "provisioner-1",
        "NATS_URL": "nats://127.0.0.1:4222",
        "DATABASE_URL": "postgresql://127.0.0.1/x",
        "REDIS_URL": "redis://127.0.0.1",
        "HEALTH_PORT": "0",
        "MODE": "sandbox",
        "DATA_DIR": str(tmp_path),
        "SECRET_KEY": "s" * 64,
        "REPLICAS": "1",
    }
    for name, value in base.items():
        monkeypatch.setenv(f"AUTOAPPLY_{name}", value)
    assert make_relay(load(ProvisionerSettings)) is None
    monkeypatch.setenv("AUTOAPPLY_DEVTOOLS_RELAY_HOST", "0.0.0.0")
    with pytest.raises(SettingsError, match="AUTOAPPLY_DEVTOOLS_RELAY_PUBLIC_HOST"):
        load(ProvisionerSettings)
    monkeypatch.setenv("AUTOAPPLY_DEVTOOLS_RELAY_PUBLIC_HOST", "10.1.2.3")
    relay = make_relay(load(ProvisionerSettings))
    assert relay is not None and (relay.listen, relay.port, relay.base) == ("0.0.0.0", 9230, "10.1.2.3:9230")


@pytest.mark.integration
@pytest.mark.timeout(240)  # a form typed at a person's pace on a loaded machine
async def test_an_executor_attaches_through_the_relay_and_applies(
    relayed: tuple[RelayedProvider, Relay], sandbox: Sandbox, tmp_path: Path
) -> None:
    provider, relay = relayed
    spec, session = await _started(provider)
    own_port = devtools.verify(KEY, _token(session))
    assert own_port is not None and own_port.port != relay.port
    assert session.cdp_url.startswith(f"http://127.0.0.1:{relay.port}/t/")
    resume = tmp_path / "Ada_Example_Resume.pdf"
    resume.write_bytes(make_pdf("Ada Example - Resume"))
    job, email = pick(sandbox, "greenhouse"), f"ada.{uuid.uuid4().hex[:10]}@example.org"
    driver = Driver()
    try:
        async with driver.attach(session.cdp_url, timeout_s=60) as attached:  # the executor's own attach
            page = attached.page
            await page.goto(job["url"])
            report = await fill_form(page, profile_for(resume, email, job))
            assert report.status == "ready", report.detail
            sent = await submit(page, report)
            assert sent.status == "submitted", sent
            # Takeover's live view: the page's screencast frames come through the relay too.
            live = LiveView(await page.context.new_cdp_session(page), page)
            await live.start()
            frame = await asyncio.wait_for(live.frames.get(), 30)
            await live.stop()
            await attached.detach()
        assert frame.jpeg[:2] == b"\xff\xd8" and frame.width > 0
        [record] = sandbox.submissions(site="greenhouse", email=email)
        assert record["fields"]["first_name"] == "Ada"
        # The resume went from the executor's disk to the page over the relay (Playwright sends the bytes).
        [file] = record["files"]
        assert file["sha256"] == hashlib.sha256(resume.read_bytes()).hexdigest()
        async with async_playwright() as pw:  # the websocket URL alone, as browser-use may take it
            browser = await pw.chromium.connect_over_cdp(session.ws_url, timeout=60_000)
            assert any(p.url.startswith(job["url"].split("/jobs")[0]) for c in browser.contexts for p in c.pages)
            await browser.close()
    finally:
        await driver.close()
        await provider.stop(spec)


@pytest.mark.integration
async def test_a_wrong_missing_or_stale_token_is_refused(relayed: tuple[RelayedProvider, Relay]) -> None:
    provider, relay = relayed
    spec, session = await _started(provider)
    base = f"127.0.0.1:{relay.port}"
    port, browser_id, mac = _token(session).split(".")
    wrong = [f"/t/{port}.{browser_id}.{mac[::-1]}", f"/t/{port}.{uuid.uuid4()}.{mac}", "/t/", "", "/json/version"]
    async with httpx.AsyncClient(trust_env=False, timeout=10) as http:
        for path in wrong:
            answer = await http.get(f"http://{base}{path.removesuffix('/json/version')}/json/version")
            assert answer.status_code == 403, (path, answer.text)
            with pytest.raises(websockets.InvalidStatus) as refused:
                async with websockets.connect(f"ws://{base}{path}", open_timeout=10):
                    pass
            assert refused.value.response.status_code == 403
        assert (await http.get(f"{session.cdp_url}/json/list")).status_code == 404  # only what a client needs
        assert (await http.post(f"{session.cdp_url}/json/version")).status_code == 405
        async with async_playwright() as pw:
            with pytest.raises(PlaywrightError):
                await pw.chromium.connect_over_cdp(f"http://{base}{wrong[0]}", timeout=10_000)
        await provider.stop(spec)
        # The browser is gone: its token died with it, even if its port is taken again.
        assert (await http.get(f"{session.cdp_url}/json/version")).status_code == 404


@pytest.mark.integration
@pytest.mark.timeout(240)  # a provisioner starting on a loaded machine
async def test_the_relay_stops_listening_when_its_provisioner_stops(
    nats: NatsServer, fresh_database: str, redis_url: str, tmp_path: Path, events: Events, bus: Bus
) -> None:
    port = free_port()
    child = start_provisioner(
        nats, fresh_database, redis_url, tmp_path, devtools_relay_host="127.0.0.1", devtools_relay_port=str(port)
    )
    try:
        await wait_healthy(child, 120)
        task = queued_event(platform="greenhouse")
        await bus.publish(task)
        ready = await events.wait_for(task.task_id, "profile.ready")
        assert ready["cdp_url"].startswith(f"http://127.0.0.1:{port}/t/"), ready["cdp_url"]
        assert ready["ws_url"] == ready["cdp_url"].replace("http://", "ws://")
        target = devtools.verify(devtools.derive_key("k" * 64), ready["cdp_url"].rsplit("/", 1)[1])
        assert target is not None and listening(target.port)
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(ready["cdp_url"], timeout=20_000)
            assert await browser.contexts[0].pages[0].evaluate("1 + 1") == 2
            await browser.close()
    finally:
        child.stop()
    assert not listening(port), "the relay outlived its provisioner"
    assert not listening(target.port), "the browser outlived its provisioner"
