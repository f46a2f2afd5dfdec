"""A small AdsPower Local API on loopback that launches real Chromium (research/apis.md section 1).

    python -m tests.provisioner.fake_adspower PORT STATE_DIR [--no-v2]
        AUTOAPPLY_FAKE_API_KEY: the Bearer key it demands
        AUTOAPPLY_FAKE_MIN_INTERVAL_S: calls closer together than this are throttled

It answers as the real one does: HTTP 200 with {"code", "msg", "data"}; code -1 with "Too many
request per second, please check" when called too fast; v2 and v1 paths (v2 answers 404 with
--no-v2, as an older AdsPower would). GET /_fake/profiles lists what was created, for tests.
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

from services.provisioner.chromium import browser_env, chromium_flags, find_chromium, stop_crash_handlers

THROTTLE = "Too many request per second, please check"


class FakeAdsPower:
    def __init__(self, state: Path, key: str, min_interval_s: float) -> None:
        self.state, self.key, self.min_interval_s = state, key, min_interval_s
        self.profiles: dict[str, dict[str, Any]] = {}
        self.browsers: dict[str, tuple[subprocess.Popen[bytes], int]] = {}
        self.last_call = 0.0

    def envelope(self, data: Any = None, code: int = 0, msg: str = "success") -> web.Response:
        return web.json_response({"code": code, "msg": msg, "data": data if data is not None else {}})

    @web.middleware
    async def guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
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
            self.browsers[profile_id] = await asyncio.to_thread(self._launch, profile_id)
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
