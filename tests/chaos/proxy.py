"""A TCP proxy between a client and a server that can hold back the server's replies: what a
client sees when the server stored its message and died before the acknowledgement reached it."""

import asyncio
from contextlib import suppress

from autoapply.local.ports import LOOPBACK

CHUNK = 65536


class ReplyHoldingProxy:
    def __init__(self, upstream_port: int) -> None:
        self._upstream_port = upstream_port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._holding = False
        self.held_bytes = 0
        self.port = 0

    @property
    def url(self) -> str:
        return f"nats://{LOOPBACK}:{self.port}"

    async def start(self) -> None:
        """Listens (on the same port as before, after a pause)."""
        self._server = await asyncio.start_server(self._serve, LOOPBACK, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def pause(self) -> None:
        """Cuts every connection and refuses new ones, as a dead server's port does."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        self.cut()

    def hold(self) -> None:
        """From now on the server's bytes are dropped on the floor instead of reaching the client."""
        self._holding = True

    def cut(self) -> None:
        """Closes every connection (the client reconnects) and forwards replies again."""
        for writer in list(self._writers):
            writer.close()
        self._holding = False

    async def close(self) -> None:
        await self.pause()
        if self._tasks:  # closed sockets end every pump; nothing is left to cancel
            await asyncio.wait(set(self._tasks), timeout=5)

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        writers = [client_w]
        try:
            server_r, server_w = await asyncio.open_connection(LOOPBACK, self._upstream_port)
            writers.append(server_w)
            self._writers |= set(writers)
            await asyncio.gather(self._pump(client_r, server_w, False), self._pump(server_r, client_w, True))
        except OSError:
            pass  # the server is down: the client sees the connection close and tries again
        finally:
            self._tasks.discard(task)
            for writer in writers:
                self._writers.discard(writer)
                writer.close()
                with suppress(Exception):
                    await writer.wait_closed()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, replies: bool) -> None:
        with suppress(OSError, asyncio.IncompleteReadError):
            while data := await reader.read(CHUNK):
                if replies and self._holding:
                    self.held_bytes += len(data)
                    continue
                writer.write(data)
                await writer.drain()
        writer.close()
