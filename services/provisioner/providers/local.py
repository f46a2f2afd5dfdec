"""The local provider: one Chromium process per profile, its user-data-dir kept between tasks.

A profile lives in <root>/<profile id>/ (profile/ is Chromium's user-data-dir, so cookies and
logins survive; home/ its HOME; session.json the running browser). The fingerprint is applied at
every start; an authenticating proxy is reached through a relay of the profile's own.
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

from services.provisioner import chromium, fingerprint, processes, relay
from services.provisioner.display import LiveViews
from services.provisioner.ports import free_port, listening, loopback_client
from services.provisioner.providers import ProfileSpec, ProviderError, ProviderName, Session

LOOPBACK = "127.0.0.1"
# A browser answers CDP in about 0.3 s here; this allows for a loaded machine.
CDP_READY_TIMEOUT_S = 20.0
RELAY_READY_TIMEOUT_S = 10.0


class LocalProvider:
    name: ProviderName = "local"

    def __init__(self, root: Path, *, block_dns: bool, live_views: LiveViews | None = None) -> None:
        self.root = root
        self.block_dns = block_dns
        self.live_views = live_views  # headful on a virtual display when given; headless otherwise
        self.headful = live_views is not None

    def _dir(self, spec: ProfileSpec) -> Path:
        return self.root / spec.profile_id

    def _marker(self, spec: ProfileSpec) -> str:
        return f"--user-data-dir={self._dir(spec) / 'profile'}"

    async def create(self, spec: ProfileSpec) -> str:
        (self._dir(spec) / "profile").mkdir(parents=True, exist_ok=True)
        return spec.profile_id

    async def start(self, spec: ProfileSpec) -> Session:
        current = await self.running(spec)
        if current is not None:
            return current
        if self._load(spec):
            await self.stop(spec)  # leftovers of a browser that died: its relay, its display
        began = time.monotonic()
        state: dict[str, Any] = {}
        try:
            proxy_server = await asyncio.to_thread(self._start_relay, spec, state)
            live_view = await asyncio.to_thread(self._start_display, spec, state)
            port = free_port()
            proc = processes.spawn(
                self._command(spec, port, proxy_server), self._env(spec, state), self._dir(spec) / "chromium.log"
            )
            state |= {"pid": proc.pid, "port": port, "live_view_url": live_view}
            self._save(spec, state)
            ws_url = await _wait_for_cdp(port, proc, began + CDP_READY_TIMEOUT_S)
        except BaseException:
            await self.stop(spec)
            raise
        state["ws_url"] = ws_url
        self._save(spec, state)
        return self._session(state)

    def _command(self, spec: ProfileSpec, port: int, proxy_server: str | None) -> list[str]:
        flags = chromium.chromium_flags(headless=not self.headful, block_dns=self.block_dns)
        if proxy_server:
            # Loopback is not proxied by default; with <-loopback> every request goes through the proxy.
            flags += [f"--proxy-server={proxy_server}", "--proxy-bypass-list=<-loopback>"]
        return [
            str(chromium.find_chromium()),
            *flags,
            *chromium.MEMORY_FLAGS,
            *fingerprint.chromium_flags(spec.fingerprint),
            f"--remote-debugging-port={port}",
            f"--remote-debugging-address={LOOPBACK}",
            self._marker(spec),
            "about:blank",
        ]

    def _env(self, spec: ProfileSpec, state: dict[str, Any]) -> dict[str, str]:
        env = chromium.browser_env(self._dir(spec) / "home")
        env |= {"TZ": spec.fingerprint.timezone, "LANGUAGE": spec.fingerprint.locale.replace("-", "_")}
        if state.get("display"):
            env["DISPLAY"] = f":{state['display']}"
        return env

    def _start_relay(self, spec: ProfileSpec, state: dict[str, Any]) -> str | None:
        proxy = spec.proxy
        if proxy is None:
            return None
        if not proxy.username:
            return proxy.server
        if proxy.scheme != "http":
            raise ValueError(f"an authenticating {proxy.scheme} proxy is not supported by the local provider")
        port = free_port()
        # The profile's folder ends the command line, unread by the relay: `autoapply down` finds a
        # relay its provisioner left behind by it, as it finds the browser by its user-data-dir.
        command = [sys.executable, "-m", "services.provisioner.relay", str(port), proxy.host, str(proxy.port)]
        command.append(str(self._dir(spec)))
        env = {**os.environ, relay.AUTH_ENV: f"{proxy.username}:{proxy.password}"}
        proc = processes.spawn(command, env, self._dir(spec) / "relay.log")
        state |= {"relay_pid": proc.pid, "relay_port": port}
        _wait_for_port(port, proc, time.monotonic() + RELAY_READY_TIMEOUT_S)
        return f"http://{LOOPBACK}:{port}"

    def _start_display(self, spec: ProfileSpec, state: dict[str, Any]) -> str | None:
        if self.live_views is None:
            return None
        view = self.live_views.start(self._dir(spec), spec.fingerprint)
        state |= {"display": view.display, "display_pids": [list(p) for p in view.pids]}
        return view.url

    async def stop(self, spec: ProfileSpec) -> None:
        state = self._load(spec)
        if state.get("ws_url") and processes.alive(state.get("pid"), self._marker(spec)):
            await _close_over_cdp(str(state["ws_url"]))
            # Its network process writes the cookies while the browser shuts down: no signal until it is done.
            await processes.wait_gone(state.get("pid"), self._marker(spec), processes.STOP_GRACE_S)
        await asyncio.to_thread(self._stop_all, spec, state)
        (self._dir(spec) / "session.json").unlink(missing_ok=True)

    def _stop_all(self, spec: ProfileSpec, state: dict[str, Any]) -> None:
        processes.stop(state.get("pid"), self._marker(spec))
        chromium.stop_crash_handlers(self._dir(spec) / "home")
        processes.stop(state.get("relay_pid"), "services.provisioner.relay")
        for pid, marker in reversed(state.get("display_pids", ())):
            processes.stop(pid, marker, grace_s=1.0)

    async def running(self, spec: ProfileSpec) -> Session | None:
        state = self._load(spec)
        if not state.get("ws_url") or not processes.alive(state.get("pid"), self._marker(spec)):
            return None
        if state.get("relay_pid") and not processes.alive(state["relay_pid"], "services.provisioner.relay"):
            return None  # the browser would have no way out: not usable
        if not await _cdp_answers(int(state["port"])):
            return None
        return self._session(state)

    async def delete(self, spec: ProfileSpec) -> None:
        await self.stop(spec)
        await asyncio.to_thread(shutil.rmtree, self._dir(spec), True)

    def _session(self, state: dict[str, Any]) -> Session:
        helpers = tuple(p for p in (state.get("relay_pid"), *(d[0] for d in state.get("display_pids", ()))) if p)
        return Session(
            cdp_url=f"http://{LOOPBACK}:{state['port']}",
            ws_url=str(state["ws_url"]),
            pid=int(state["pid"]),
            live_view_url=state.get("live_view_url"),
            helper_pids=helpers,
        )

    def _save(self, spec: ProfileSpec, state: dict[str, Any]) -> None:
        path = self._dir(spec) / "session.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(path)

    def _load(self, spec: ProfileSpec) -> dict[str, Any]:
        try:
            return dict(json.loads((self._dir(spec) / "session.json").read_text()))
        except (OSError, ValueError):
            return {}


async def _close_over_cdp(ws_url: str) -> None:
    """Browser.close: the one shutdown after which Chromium has surely written its cookies to disk."""
    try:
        async with websockets.connect(ws_url, open_timeout=2, max_size=None) as ws:
            await ws.send(json.dumps({"id": 1, "method": "Browser.close"}))
            await asyncio.wait_for(ws.recv(), 2)
    except (OSError, TimeoutError, websockets.WebSocketException):
        pass  # a browser that does not answer is stopped by signal instead


async def _cdp_answers(port: int) -> bool:
    return await _cdp_ws(port) is not None


async def _cdp_ws(port: int) -> str | None:
    try:
        async with loopback_client(2.0) as client:
            answer = await client.get(f"http://{LOOPBACK}:{port}/json/version")
        return str(answer.json()["webSocketDebuggerUrl"]) if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError, KeyError):
        return None


# The child itself is asked (poll), not its command line: right after the fork it is not yet exec'd.
async def _wait_for_cdp(port: int, proc: subprocess.Popen[bytes], deadline: float) -> str:
    while time.monotonic() < deadline:
        ws = await _cdp_ws(port)
        if ws:
            return ws
        if proc.poll() is not None:
            raise ProviderError("the browser exited before its CDP endpoint answered")
        await asyncio.sleep(0.05)
    raise ProviderError(f"the browser's CDP endpoint did not answer within {CDP_READY_TIMEOUT_S:.0f} s")


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if listening(port):
            return
        if proc.poll() is not None:
            raise ProviderError("the proxy relay exited at start")
        time.sleep(0.02)
    raise ProviderError("the proxy relay did not listen in time")
