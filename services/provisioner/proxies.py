"""Proxy endpoints: parsing the configured ones, and asking one for its exit IP before first use."""

import ipaddress
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

import httpx

from runtime.errors import TransientError


class ProxyError(TransientError):
    """The proxy did not answer, refused us, or gave no exit IP: no browser goes out without it."""


@dataclass(frozen=True)
class Proxy:
    scheme: str
    host: str
    port: int
    username: str = ""
    password: str = ""

    @property
    def server(self) -> str:
        """Without credentials: what may be logged and shown."""
        return f"{self.scheme}://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        if not self.username:
            return self.server
        return (
            f"{self.scheme}://{quote(self.username, safe='')}:{quote(self.password, safe='')}@{self.host}:{self.port}"
        )


def parse(url: str) -> Proxy:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https", "socks5") or not parts.hostname or not parts.port:
        raise ValueError(
            f"a proxy is scheme://[user:password@]host:port with scheme http, https or socks5: {_safe(url)}"
        )
    return Proxy(parts.scheme, parts.hostname, parts.port, unquote(parts.username or ""), unquote(parts.password or ""))


def _safe(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.hostname}:{parts.port}" if parts.hostname else "(unparseable)"


async def exit_ip(proxy: Proxy, echo_url: str, timeout_s: float) -> str:
    """The address the echo endpoint sees when asked through the proxy."""
    try:
        async with httpx.AsyncClient(proxy=proxy.url, timeout=timeout_s, trust_env=False) as client:
            answer = await client.get(echo_url)
    except httpx.HTTPError as exc:
        raise ProxyError(f"proxy {proxy.server} did not answer: {type(exc).__name__}") from None
    if answer.status_code != 200:
        raise ProxyError(f"proxy {proxy.server}: the exit IP check answered HTTP {answer.status_code}")
    return _address(answer, proxy)


def _address(answer: httpx.Response, proxy: Proxy) -> str:
    text = answer.text.strip()
    try:
        text = str(answer.json().get("ip", "")) if text.startswith("{") else text
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ProxyError(f"proxy {proxy.server}: the exit IP check gave no address") from None
