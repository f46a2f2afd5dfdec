"""A small AdsPower Local API on loopback that launches real Chromium (research/apis.md section 1).

    python -m tests.provisioner.fake_adspower PORT STATE_DIR [--no-v2]
        AUTOAPPLY_FAKE_API_KEY: the Bearer key it demands
        AUTOAPPLY_FAKE_MIN_INTERVAL_S: calls closer together than this are throttled

It answers as the real one does: HTTP 200 with {"code", "msg", "data"}; code -1 with "Too many
request per second, please check" when called too fast; v2 and v1 paths (v2 answers 404 with
--no-v2, as an older AdsPower would). GET /_fake/profiles lists what was created, for tests.

A profile's `user_proxy_config` is applied as AdsPower applies it: its browser goes out through
that proxy and nowhere else (loopback too). AdsPower's own browser answers the proxy's credentials
itself; Chromium takes none on its command line, so here an authenticating http proxy is reached
through the provisioner's relay (services/provisioner/relay.py, credentials in its environment),
as the local provider does. Each request is written to stderr (method and path, never a body) as
AdsPower's own request log would be.
"""

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import websockets.sync.client
from aiohttp import web

from services.provisioner import relay
from services.provisioner.chromium import browser_env, chromium_flags, find_chromium, stop_crash_handlers

THROTTLE = "Too many request per second, please check"
PROXY_TYPES = ("http", "https", "socks5")


def proxy_error(config: dict[str, Any]) -> str | None:
    """What is wrong with a profile's user_proxy_config, as AdsPower would refuse it at create."""
    soft = config.get("proxy_soft", "no_proxy")
    if soft == "no_proxy":
        return None
    if soft != "other":
        return f"proxy_soft {soft!r} is not supported here (only other and no_proxy)"
    if config.get("proxy_type") not in PROXY_TYPES:
        return "proxy_type must be one of http, https, socks5"
    if not config.get("proxy_host") or not str(config.get("proxy_port", "")).isdigit():
        return "proxy_host and a numeric proxy_port are required"
    if config.get("proxy_user") and config["proxy_type"] != "http":
        return "an authenticating proxy must be http here"
    return None


class FakeAdsPower:
    def __init__(self, state: Path, key: str, min_interval_s: float) -> None:
        self.state, self.key, self.min_interval_s = state, key, min_interval_s
        self.profiles: dict[str, dict[str, Any]] = {}
        self.browsers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        self.relays: dict[str, subprocess.Popen[bytes]] = {}
        self.last_call = 0.0

    def envelope(self, data: Any = None, code: int = 0, msg: str = "success") -> web.Response:
        return web.json_response({"code": code, "msg": msg, "data": data if data is not None else {}})

    @web.middleware
    async def guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        print(f"request {request.method} {request.path_qs}", file=sys.stderr, flush=True)
        if request.path.startswith("/_fake"):
            return await handler(request)
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return self.envelope(code=-1, msg="require api-key")
        now = time.monotonic()
        if now - self.last_call < self.min_interval_s:
            return self.envelope(code=-1, msg=THROTTLE)
        self.last_call = now
        return await handler(request)

    async def args(self, request: web.Request) -> dict[str, Any]:
        if request.method == "POST":
            return dict(await request.json())
        return dict(request.query)

    async def create(self, request: web.Request) -> web.Response:
        body = await self.args(request)
        problem = proxy_error(body.get("user_proxy_config") or {})
        if problem:
            return self.envelope(code=-1, msg=f"user_proxy_config: {problem}")
        profile_id = uuid.uuid4().hex[:8]
        self.profiles[profile_id] = {"profile_id": profile_id, "user_id": profile_id, **body}
        key = "profile_id" if "/v2/" in request.path else "id"
        return self.envelope({key: profile_id})

    async def listing(self, request: web.Request) -> web.Response:
        body = await self.args(request)
        items = [p for p in self.profiles.values() if not body.get("name") or p.get("name") == body["name"]]
        return self.envelope({"list": items, "page": 1, "page_size": 100})

    def _id(self, body: dict[str, Any]) -> str:
        return str(body.get("profile_id") or body.get("user_id") or "")

    async def start(self, request: web.Request) -> web.Response:
        profile_id = self._id(await self.args(request))
        if profile_id not in self.profiles:
            return self.envelope(code=-1, msg="profile does not exist")
        if not self._active(profile_id):
            try:
                self.browsers[profile_id] = await asyncio.to_thread(self._launch, profile_id)
            except RuntimeError as exc:
                return self.envelope(code=-1, msg=str(exc))
        return self.envelope(self._ws(profile_id))

    def _launch(self, profile_id: str) -> tuple[subprocess.Popen[bytes], int]:
        fp = self.profiles[profile_id].get("fingerprint_config", {})
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        width, _, height = str(fp.get("screen_resolution", "1280_800")).partition("_")
        flags = [f"--user-agent={fp['ua']}"] if fp.get("ua") else []
        lang = fp.get("language", ["en-US"])[0]
        flags += [f"--lang={lang}", f"--accept-lang={lang}", f"--window-size={width},{height}"]
        home = self.state / profile_id / "home"
        env = {**browser_env(home), "TZ": str(fp.get("timezone", "UTC"))}
        command = [
            str(find_chromium()),
            *chromium_flags(block_dns=True),
            *flags,
            *self._proxy_flags(profile_id),
            f"--remote-debugging-port={port}",
            f"--user-data-dir={self.state / profile_id / 'profile'}",
            "about:blank",
        ]
        with (self.state / f"{profile_id}.log").open("ab") as log:
            proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        time.sleep(0.2)  # DevTools answers /json/version just after the port opens
        return proc, port

    def _proxy_flags(self, profile_id: str) -> list[str]:
        config = self.profiles[profile_id].get("user_proxy_config") or {}
        if config.get("proxy_soft", "no_proxy") == "no_proxy":
            return []
        host, port = str(config["proxy_host"]), str(config["proxy_port"])
        server = f"{config['proxy_type']}://{host}:{port}"
        if config.get("proxy_user"):
            auth = f"{config['proxy_user']}:{config.get('proxy_password', '')}"
            server = self._start_relay(profile_id, host, port, auth)
        # Loopback is not proxied by default; with <-loopback> every request goes through the proxy.
        return [f"--proxy-server={server}", "--proxy-bypass-list=<-loopback>"]

    def _start_relay(self, profile_id: str, host: str, port: str, auth: str) -> str:
        self._stop_relay(profile_id)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            relay_port = sock.getsockname()[1]
        command = [sys.executable, "-m", "services.provisioner.relay", str(relay_port), host, port]
        env = {**os.environ, relay.AUTH_ENV: auth}
        with (self.state / f"{profile_id}-relay.log").open("ab") as log:
            proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.relays[profile_id] = proc
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", relay_port)) == 0:
                    return f"http://127.0.0.1:{relay_port}"
            time.sleep(0.02)
        self._stop_relay(profile_id)
        raise RuntimeError("the proxy relay did not start")

    def _stop_relay(self, profile_id: str) -> None:
        proc = self.relays.pop(profile_id, None)
        if proc is None:
            return
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def _active(self, profile_id: str) -> bool:
        running = self.browsers.get(profile_id)
        return running is not None and running[0].poll() is None

    def _ws_url(self, port: int) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/version", timeout=5) as answer:
            return str(json.loads(answer.read())["webSocketDebuggerUrl"])

    def _ws(self, profile_id: str) -> dict[str, Any]:
        port = self.browsers[profile_id][1]
        ws = self._ws_url(port)
        return {"ws": {"selenium": f"127.0.0.1:{port}", "puppeteer": ws}, "debug_port": str(port), "webdriver": ""}

    async def stop(self, request: web.Request) -> web.Response:
        profile_id = self._id(await self.args(request))
        running = self.browsers.get(profile_id)
        if running is None:
            return self.envelope(code=-1, msg="browser is not open")
        await asyncio.to_thread(self._terminate, profile_id, running[0])
        self.browsers.pop(profile_id, None)
        return self.envelope()

    def _terminate(self, profile_id: str, proc: subprocess.Popen[bytes]) -> None:
        port = self.browsers.get(profile_id, (proc, 0))[1]
        with contextlib.suppress(OSError, TimeoutError):  # as AdsPower does: close the browser, not kill it
            with websockets.sync.client.connect(self._ws_url(port), open_timeout=2) as ws:
                ws.send(json.dumps({"id": 1, "method": "Browser.close"}))
                ws.recv(timeout=2)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        self._stop_relay(profile_id)
        stop_crash_handlers(self.state / profile_id / "home")

    async def active(self, request: web.Request) -> web.Response:
        profile_id = self._id(await self.args(request))
        if self._active(profile_id):
            try:
                return self.envelope({"status": "Active", **self._ws(profile_id)})
            except OSError:
                pass  # its process is dying
        return self.envelope({"status": "Inactive"})

    async def delete(self, request: web.Request) -> web.Response:
        body = await self.args(request)
        ids = [str(i) for i in body.get("profile_id") or body.get("user_ids") or []]
        if not ids or any(i not in self.profiles for i in ids):
            return self.envelope(code=-1, msg="profile does not exist")
        for profile_id in ids:
            if self._active(profile_id):
                return self.envelope(code=-1, msg="the browser is open, close it first")
        for profile_id in ids:
            self.profiles.pop(profile_id)
            await asyncio.to_thread(shutil.rmtree, self.state / profile_id, True)
        return self.envelope()

    async def fake_profiles(self, request: web.Request) -> web.Response:
        return web.json_response(list(self.profiles.values()))

    async def status(self, request: web.Request) -> web.Response:
        return self.envelope()

    def app(self, v2: bool) -> web.Application:
        app = web.Application(middlewares=[self.guard])
        routes = [
            web.get("/status", self.status),
            web.get("/_fake/profiles", self.fake_profiles),
            web.post("/api/v1/user/create", self.create),
            web.get("/api/v1/user/list", self.listing),
            web.get("/api/v1/browser/start", self.start),
            web.get("/api/v1/browser/stop", self.stop),
            web.get("/api/v1/browser/active", self.active),
            web.post("/api/v1/user/delete", self.delete),
        ]
        if v2:
            routes += [
                web.post("/api/v2/browser-profile/create", self.create),
                web.post("/api/v2/browser-profile/list", self.listing),
                web.post("/api/v2/browser-profile/start", self.start),
                web.post("/api/v2/browser-profile/stop", self.stop),
                web.get("/api/v2/browser-profile/active", self.active),
                web.post("/api/v2/browser-profile/delete", self.delete),
            ]
        app.add_routes(routes)
        app.on_shutdown.append(self._stop_all)
        return app

    async def _stop_all(self, app: web.Application) -> None:
        for profile_id, (proc, _) in list(self.browsers.items()):
            if proc.poll() is None:
                await asyncio.to_thread(self._terminate, profile_id, proc)
        for profile_id in list(self.relays):
            self._stop_relay(profile_id)


def main() -> None:
    port, state = int(sys.argv[1]), Path(sys.argv[2])
    state.mkdir(parents=True, exist_ok=True)
    fake = FakeAdsPower(
        state,
        os.environ.get("AUTOAPPLY_FAKE_API_KEY", ""),
        float(os.environ.get("AUTOAPPLY_FAKE_MIN_INTERVAL_S", "1.0")),
    )
    print("ready", flush=True)
    web.run_app(fake.app("--no-v2" not in sys.argv), host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main()
