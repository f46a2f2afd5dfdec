"""Is PostgreSQL up? Asked on a connection of the probe's own, never through the service's pool.

Through the pool, the health check queued behind the handlers: with every connection taken (the
soak's provisioner under 180 waiting tasks), its acquire outlasted the check's 2 s, and a busy
pool was taken for a dead database, pausing every consumer of the service every few seconds. The
probe's own connection answers as soon as the server does, however busy the pool is; a server
that refuses it for having too many clients is busy, not down.
"""

import asyncio
import logging
from contextlib import suppress

import asyncpg

log = logging.getLogger(__name__)

# The probe's connect and query each get this long: a server that cannot answer a `SELECT true`
# in that time is as good as down for the service's handlers too.
PROBE_TIMEOUT_S = 2.0


class Probe:
    def __init__(self, dsn: str, schema: str) -> None:
        self._dsn, self._name = dsn, f"{schema} health"
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()  # /healthz and the pause loop may ask at once

    async def alive(self) -> bool:
        async with self._lock:
            try:
                conn = await self._connection()
                return bool(await conn.fetchval("SELECT true", timeout=PROBE_TIMEOUT_S))
            except asyncpg.TooManyConnectionsError:
                return True  # the server answered: it is up, only full
            except BaseException:
                await self.close()  # a query cut short leaves the connection unusable
                raise

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            self._conn = await asyncpg.connect(
                self._dsn, timeout=PROBE_TIMEOUT_S, server_settings={"application_name": self._name}
            )
        return self._conn

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(Exception):
                conn.terminate()  # no goodbye round trip to a server that may be gone
