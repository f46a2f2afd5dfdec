"""The headful live view for real: Chromium on its own Xvfb display, x11vnc on it, noVNC through
websockify; the page is served and the websocket speaks VNC (RFB) from that display."""

import shutil
from pathlib import Path

import httpx
import psutil
import pytest
import websockets
from playwright.async_api import async_playwright

from autoapply.local.ports import free_port
from services.provisioner import fingerprint
from services.provisioner.display import LiveViews
from services.provisioner.providers import ProfileSpec
from services.provisioner.providers.local import LocalProvider

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not all(shutil.which(p) for p in ("Xvfb", "x11vnc", "websockify")), reason="./dev setup"),
]


async def test_a_headful_browser_is_watched_through_novnc(tmp_path: Path) -> None:
    novnc_port = free_port()
    provider = LocalProvider(
        tmp_path / "browsers", block_dns=True, live_views=LiveViews(300 + novnc_port % 500, novnc_port)
    )
    spec = ProfileSpec("headful", fingerprint.generate())
    await provider.create(spec)
    session = await provider.start(spec)
    try:
        assert session.live_view_url is not None
        assert session.live_view_url.startswith(f"http://127.0.0.1:{novnc_port}/vnc.html")
        async with httpx.AsyncClient() as client:
            page = await client.get(session.live_view_url)
        assert page.status_code == 200 and "noVNC" in page.text
        async with websockets.connect(f"ws://127.0.0.1:{novnc_port}/websockify", subprotocols=["binary"]) as ws:
            banner = await ws.recv()
        assert bytes(banner).startswith(b"RFB 003.")  # the VNC server of the browser's display
        async with async_playwright() as pw:
            browser = await pw.chromium.connect_over_cdp(session.cdp_url)
            agent = await browser.contexts[0].pages[0].evaluate("navigator.userAgent")
            await browser.close()
        assert "Headless" not in agent
        helpers = [psutil.Process(pid) for pid in session.helper_pids]
        assert {p.name() for p in helpers} >= {"Xvfb", "x11vnc"}
    finally:
        await provider.stop(spec)
    assert [p.name() for p in helpers if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
