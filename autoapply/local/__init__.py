"""Local servers on free loopback ports: nats-server, PostgreSQL, Redis, Chromium, IMAP (Dovecot)."""

from autoapply.local.chromium import ChromiumServer, chromium_flags, find_chromium
from autoapply.local.imap import ImapServer
from autoapply.local.nats import NatsServer
from autoapply.local.ports import free_port
from autoapply.local.postgres import PostgresServer
from autoapply.local.procs import PidRecord, StartError
from autoapply.local.redis import RedisServer
from autoapply.local.server import LocalServer

__all__ = [
    "ChromiumServer",
    "ImapServer",
    "LocalServer",
    "NatsServer",
    "PidRecord",
    "PostgresServer",
    "RedisServer",
    "StartError",
    "chromium_flags",
    "find_chromium",
    "free_port",
]
