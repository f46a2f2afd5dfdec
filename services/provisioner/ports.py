"""Free loopback ports for browsers' CDP endpoints, relays and live views."""

import socket

import httpx

# Ports handed out by this process; two browsers started back to back must not get the same one.
_handed_out: set[int] = set()


def free_port() -> int:
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise OSError("no free loopback port")


def listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def loopback_client(timeout_s: float) -> httpx.AsyncClient:
    """A client for plain HTTP to 127.0.0.1 (a browser's /json/version). No TLS is ever spoken there,
    so no CA bundle is loaded: httpx reads certifi's for every client that may verify, about 15 ms of
    CPU each, and the reaper's probes and a start's wait for DevTools make many a second (it was a
    fifth of the provisioner's CPU in `bench apply`)."""
    return httpx.AsyncClient(timeout=timeout_s, trust_env=False, verify=False)
