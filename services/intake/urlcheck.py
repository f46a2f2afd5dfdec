"""Which job URLs may be opened at all: http(s) only; outside sandbox mode, no private,
loopback, link-local or otherwise internal address, by literal or by what the name resolves to."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

# Names that only ever mean a machine of one's own network.
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".home.arpa", ".lan", ".intranet")
# A slow resolver must not hold a request; a name that does not resolve in time is let through
# (it can reach nothing now) and the browser's navigation fails on it later.
RESOLVE_TIMEOUT_S = 2.0
MAX_URL_CHARS = 2048


class RefusedUrl(ValueError):
    """The URL may not be used; the message says why."""


def check_shape(url: str) -> None:
    if len(url) > MAX_URL_CHARS:
        raise RefusedUrl(f"a job URL is at most {MAX_URL_CHARS} characters")
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https"):
        raise RefusedUrl("only http and https job URLs are accepted")
    if not parts.hostname:
        raise RefusedUrl("the job URL has no host")
    if parts.username or parts.password:
        raise RefusedUrl("a job URL may not carry a user name or password")
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise RefusedUrl("the job URL's port is not valid") from None


def internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_host_name(host: str) -> None:
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(INTERNAL_SUFFIXES) or ("." not in name and not _is_ip(name)):
        raise RefusedUrl("the job URL names a machine of a private network")
    if _is_ip(name) and internal(name):
        raise RefusedUrl("the job URL points at a private, loopback or link-local address")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


async def check(url: str, sandbox: bool) -> None:
    """Raises RefusedUrl; resolves the host outside sandbox mode (numeric tricks like 2130706433 too)."""
    check_shape(url)
    if sandbox:
        return
    host = (urlsplit(url.strip()).hostname or "").strip("[]")
    check_host_name(host)
    for address in await _resolve(host):
        if internal(address):
            raise RefusedUrl("the job URL's host resolves to a private, loopback or link-local address")


async def _resolve(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, None, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_S)
    except (OSError, TimeoutError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]
