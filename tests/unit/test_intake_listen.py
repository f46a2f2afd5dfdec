"""Instances of intake on one machine share the API's port when told to (SO_REUSEPORT)."""

import socket

import pytest

from services.intake.app import listening_socket

pytestmark = pytest.mark.unit


def test_two_instances_listen_on_one_port_and_both_take_connections() -> None:
    first = listening_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = listening_socket("127.0.0.1", port)
    clients: list[socket.socket] = []
    try:
        assert second.getsockname()[1] == port
        # The kernel spreads new connections over both by their source port: some reach each.
        for _ in range(32):
            clients.append(socket.create_connection(("127.0.0.1", port), timeout=2))
        first.settimeout(0), second.settimeout(0)
        taken = [_drain(first), _drain(second)]
        assert sum(taken) == 32 and min(taken) > 0
    finally:
        for sock in (*clients, first, second):
            sock.close()


def test_a_port_held_without_the_option_is_refused() -> None:
    plain = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    plain.bind(("127.0.0.1", 0))
    plain.listen()
    try:
        with pytest.raises(OSError):
            listening_socket("127.0.0.1", plain.getsockname()[1]).close()
    finally:
        plain.close()


def _drain(sock: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = sock.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1
