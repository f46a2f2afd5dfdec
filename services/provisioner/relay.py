"""A loopback relay in front of an authenticating HTTP proxy.

Chromium takes no credentials in --proxy-server and would ask a person for them, so each local
browser talks to a relay of its own on 127.0.0.1 that adds Proxy-Authorization to every request
and forwards it upstream. It runs as its own process beside the browser, so the browser keeps its
proxy while a provisioner restarts; when the relay dies, the browser loses the network rather than
going out unproxied.

    python -m services.provisioner.relay PORT UPSTREAM_HOST UPSTREAM_PORT  (credentials in the environment)
"""

import asyncio
import base64
import contextlib
import os
import signal
import sys

# The environment variable holding "user:password" (never on the command line, where ps shows it).
AUTH_ENV = "AUTOAPPLY_RELAY_AUTH"
READY_LINE = "relay ready"
MAX_HEAD_BYTES = 64 * 1024
CHUNK = 64 * 1024
# A client that sends no request head in this long is dropped.
HEAD_TIMEOUT_S = 30.0


def rewrite_head(head: bytes, auth: str) -> bytes:
    """The request head with our Proxy-Authorization; plain requests get one connection each."""
    lines = head.rstrip(b"\r\n").split(b"\r\n")
    request, headers = lines[0], lines[1:]
    drop = (b"proxy-authorization:", b"proxy-connection:", b"connection:")
    kept = [h for h in headers if not h.lower().startswith(drop)]
    kept.append(b"Proxy-Authorization: Basic " + base64.b64encode(auth.encode()))
    if not request.upper().startswith(b"CONNECT "):
        kept.append(b"Connection: close")  # so every plain request carries the credentials
    return b"\r\n".join([request, *kept]) + b"\r\n\r\n"


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(CHUNK):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def serve_client(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, upstream: tuple[str, int], auth: str
) -> None:
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT_S)
        if len(head) > MAX_HEAD_BYTES:
            raise ValueError("request head too large")
        up_reader, up_writer = await asyncio.open_connection(*upstream)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ValueError, OSError):
        writer.close()
        return
    up_writer.write(rewrite_head(head, auth))
    await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


async def run(port: int, upstream: tuple[str, int], auth: str) -> None:
    server = await asyncio.start_server(
        lambda r, w: serve_client(r, w, upstream, auth), "127.0.0.1", port, limit=MAX_HEAD_BYTES
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(READY_LINE, flush=True)
    async with server:
        await stop.wait()


def main() -> None:
    port, host, upstream_port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    asyncio.run(run(port, (host, upstream_port), os.environ.get(AUTH_ENV, "")))


if __name__ == "__main__":
    main()
