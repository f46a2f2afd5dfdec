"""The AdsPower provider: its Local API (research/apis.md section 1).

v2 endpoints first, v1 when the app is too old for them (HTTP 404); a Bearer key; every answer is
HTTP 200 with {"code", "msg", "data"}, so `code == 0` decides; calls are serialised at most one a
second (safe under every documented tier) and retried on the throttle message or HTTP 429. A
profile is created under our profile id as its name, and looked up by that name before creating,
so a retried create never makes a second profile.
"""

import asyncio
import logging
import time
from typing import Any

import httpx

from services.provisioner.fingerprint import Fingerprint
from services.provisioner.providers import ProfileSpec, ProviderError, ProviderName, Session
from services.provisioner.proxies import Proxy

log = logging.getLogger(__name__)

THROTTLE_MESSAGE = "Too many request per second"
MIN_INTERVAL_S = 1.0
# After a throttle answer, wait a whole rate-limit window (and longer each time) before asking again.
THROTTLE_PAUSE_S = 1.0
THROTTLE_RETRIES = 4
TIMEOUT_S = 30.0


class AdsPowerError(ProviderError):
    """AdsPower answered code != 0, is not running, or kept throttling us."""


class AdsPowerClient:
    def __init__(self, base_url: str, api_key: str, min_interval_s: float = MIN_INTERVAL_S) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.AsyncClient(base_url=base_url, headers=headers, timeout=TIMEOUT_S, trust_env=False)
        self._lock = asyncio.Lock()
        self._last = 0.0
        self.min_interval_s = min_interval_s
        self.v1_only = False
        self.calls = 0

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        for attempt in range(THROTTLE_RETRIES + 1):
            answer = await self._send(method, path, **kwargs)
            body = _body(answer)
            if answer.status_code == 429 or THROTTLE_MESSAGE in str(body.get("msg", "")):
                log.info("AdsPower throttled %s; retry %d", path, attempt + 1)
                await asyncio.sleep(THROTTLE_PAUSE_S * (attempt + 1))
                continue
            if answer.status_code == 404:
                raise _NotFound(path)
            if answer.status_code in (401, 403):
                raise AdsPowerError(f"AdsPower refused the API key (HTTP {answer.status_code})")
            if body.get("code") != 0:
                raise AdsPowerError(f"AdsPower {path}: {str(body.get('msg') or 'failed')[:200]}")
            data = body.get("data")
            return data if isinstance(data, dict) else {"items": data}
        raise AdsPowerError(f"AdsPower kept throttling {path} after {THROTTLE_RETRIES} retries")

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async with self._lock:  # one call at a time, at most one a second
            pause = self._last + self.min_interval_s - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            try:
                self.calls += 1
                return await self._http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                raise AdsPowerError(f"AdsPower's Local API does not answer: {type(exc).__name__}") from None
            finally:
                self._last = time.monotonic()

    async def either(self, v2: tuple[str, str, dict[str, Any]], v1: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
        """The v2 call, or the v1 one when this AdsPower has no v2 (remembered)."""
        if not self.v1_only:
            try:
                return await self.call(v2[0], v2[1], **v2[2])
            except _NotFound:
                log.info("AdsPower has no v2 Local API; using v1")
                self.v1_only = True
        return await self.call(v1[0], v1[1], **v1[2])

    async def close(self) -> None:
        await self._http.aclose()


class _NotFound(AdsPowerError):
    pass


def _body(answer: httpx.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def fingerprint_config(fp: Fingerprint) -> dict[str, Any]:
    return {
        "ua": fp.user_agent,
        "language_switch": "0",
        "language": [fp.locale],
        "automatic_timezone": "0",
        "timezone": fp.timezone,
        "screen_resolution": f"{fp.width}_{fp.height}",
        "webrtc": "proxy",
    }


def proxy_config(proxy: Proxy | None) -> dict[str, str]:
    if proxy is None:
        return {"proxy_soft": "no_proxy"}
    return {
        "proxy_soft": "other",
        "proxy_type": proxy.scheme,
        "proxy_host": proxy.host,
        "proxy_port": str(proxy.port),
        "proxy_user": proxy.username,
        "proxy_password": proxy.password,
    }


class AdsPowerProvider:
    name: ProviderName = "adspower"

    def __init__(self, base_url: str, api_key: str, *, group_id: str = "0", min_interval_s: float = MIN_INTERVAL_S):
        self.api = AdsPowerClient(base_url, api_key, min_interval_s)
        self.group_id = group_id

    async def create(self, spec: ProfileSpec) -> str:
        existing = await self._find(spec.profile_id)
        if existing:
            return existing  # an earlier create went through before its answer was lost
        body = {
            "name": spec.profile_id,
            "group_id": self.group_id,
            "user_proxy_config": proxy_config(spec.proxy),
            "fingerprint_config": fingerprint_config(spec.fingerprint),
        }
        data = await self.api.either(
            ("POST", "/api/v2/browser-profile/create", {"json": body}),
            ("POST", "/api/v1/user/create", {"json": body}),
        )
        created = data.get("profile_id") or data.get("id")
        if not created:
            raise AdsPowerError("AdsPower created a profile but gave no id")
        return str(created)

    async def _find(self, name: str) -> str | None:
        data = await self.api.either(
            ("POST", "/api/v2/browser-profile/list", {"json": {"name": name, "limit": 100}}),
            ("GET", "/api/v1/user/list", {"params": {"page": 1, "page_size": 100}}),
        )
        for item in data.get("list") or []:
            if item.get("name") == name:
                return str(item.get("profile_id") or item.get("user_id"))
        return None

    async def start(self, spec: ProfileSpec) -> Session:
        current = await self.running(spec)
        if current is not None:
            return current
        pid = self._id(spec)
        data = await self.api.either(
            (
                "POST",
                "/api/v2/browser-profile/start",
                {"json": {"profile_id": pid, "proxy_detection": "0", "last_opened_tabs": "0"}},
            ),
            ("GET", "/api/v1/browser/start", {"params": {"user_id": pid, "ip_tab": "0", "open_tabs": "1"}}),
        )
        return _session(data)

    async def stop(self, spec: ProfileSpec) -> None:
        if spec.external_id is None:
            return
        pid = spec.external_id
        try:
            await self.api.either(
                ("POST", "/api/v2/browser-profile/stop", {"json": {"profile_id": pid}}),
                ("GET", "/api/v1/browser/stop", {"params": {"user_id": pid}}),
            )
        except AdsPowerError as exc:
            if await self.running(spec) is not None:
                raise
            log.info("AdsPower stop of a browser that was not running: %s", exc)

    async def running(self, spec: ProfileSpec) -> Session | None:
        if spec.external_id is None:
            return None
        data = await self.api.either(
            ("GET", "/api/v2/browser-profile/active", {"params": {"profile_id": spec.external_id}}),
            ("GET", "/api/v1/browser/active", {"params": {"user_id": spec.external_id}}),
        )
        return _session(data) if data.get("status") == "Active" else None

    async def delete(self, spec: ProfileSpec) -> None:
        """AdsPower deletes the profile with its cache (cookies, logins) and its stored proxy."""
        await self.stop(spec)
        external = spec.external_id or await self._find(spec.profile_id)
        if external is None:
            return
        try:
            await self.api.either(
                ("POST", "/api/v2/browser-profile/delete", {"json": {"profile_id": [external]}}),
                ("POST", "/api/v1/user/delete", {"json": {"user_ids": [external]}}),
            )
        except AdsPowerError:
            if await self._find(spec.profile_id) is not None:
                raise  # still there: the delete really failed, and is retried with the event

    def _id(self, spec: ProfileSpec) -> str:
        if spec.external_id is None:
            raise AdsPowerError("the profile was never created in AdsPower")
        return spec.external_id


def _session(data: dict[str, Any]) -> Session:
    ws = (data.get("ws") or {}).get("puppeteer")
    port = data.get("debug_port")
    if not ws or not port:
        raise AdsPowerError("AdsPower started the browser but gave no CDP endpoint")
    return Session(cdp_url=f"http://127.0.0.1:{port}", ws_url=str(ws))
