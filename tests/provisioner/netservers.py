"""Real network servers for the provisioner's tests, run as processes of their own.

python -m tests.provisioner.netservers echo PORT
    answers every GET with {"ip": <the caller's address>}
python -m tests.provisioner.netservers proxy PORT USER PASSWORD SOURCE_IP
    an HTTP proxy (CONNECT and plain requests) demanding Basic credentials; it connects out
    from SOURCE_IP (another loopback address), so the echo server sees a different exit IP; every
    request is written to stderr ("proxy authenticated METHOD TARGET" or "proxy refused ...",
    never the credentials), so a test can see what went through it
"""

import asyncio
import base64
import contextlib
import json
import sys
from urllib.parse import urlsplit

READY = "ready"


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        writer.close()
        return
    body = json.dumps({"ip": writer.get_extra_info("peername")[0]}).encode()
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    )
    writer.write(head.encode() + body)
    await writer.drain()
    writer.close()


def proxy_handler(user: str, password: str, source: str):  # type: ignore[no-untyped-def]
    expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
        if headers.get("proxy-authorization") != expected:
            print(f"proxy refused {method} {target}", file=sys.stderr, flush=True)
            writer.write(
                b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n"
                b"Content-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
            writer.close()
            return
        print(f"proxy authenticated {method} {target}", file=sys.stderr, flush=True)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            up_r, up_w = await asyncio.open_connection(host, int(port), local_addr=(source, 0))
            writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        else:
            url = urlsplit(target)
            up_r, up_w = await asyncio.open_connection(url.hostname, url.port or 80, local_addr=(source, 0))
            path = (url.path or "/") + (f"?{url.query}" if url.query else "")
            kept = [h for h in lines[1:] if h and not h.lower().startswith(("proxy-", "connection:"))]
            up_w.write("\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""]).encode("latin-1"))
        await asyncio.gather(_pipe(reader, up_w), _pipe(up_r, writer))

    return handle


async def main(argv: list[str]) -> None:
    kind, port = argv[0], int(argv[1])
    handler = echo if kind == "echo" else proxy_handler(argv[2], argv[3], argv[4])
    server = await asyncio.start_server(handler, "127.0.0.1", port)
    print(READY, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
