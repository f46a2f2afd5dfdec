"""Free loopback ports."""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOOPBACK = "127.0.0.1"
# Ports are drawn below the kernel's ephemeral range, so an outgoing connection's local port can
# never take a remembered port between one `up` and the next.
LOWEST_PORT = 15000
# Used when /proc does not tell us where the ephemeral range starts (the Linux default).
DEFAULT_EPHEMERAL_START = 32768
# Ports handed out by this process; two servers started back to back must not get the same one.
_handed_out: set[int] = set()


def ephemeral_start() -> int:
    try:
        low = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]
        return int(low)
    except (OSError, ValueError, IndexError):
        return DEFAULT_EPHEMERAL_START


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nothing listens on and that this process has not handed out before."""
    high = ephemeral_start()
    if high - LOWEST_PORT < 1000:
        return _kernel_port()
    for _ in range(500):
        port = random.randrange(LOWEST_PORT, high)
        if port not in _handed_out and port_is_free(port):
            _handed_out.add(port)
            return port
    return _kernel_port()


def _kernel_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port = int(sock.getsockname()[1])
    _handed_out.add(port)
    return port
