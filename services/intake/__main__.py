import asyncio

import uvloop

from runtime import settings
from runtime.service import configure_logging, serve
from services.intake.app import build, serve_http
from services.intake.settings import IntakeSettings


def main() -> None:
    config = settings.load(IntakeSettings)
    configure_logging(config.log_level, config.instance)
    # libuv's loop: every request is a dozen socket reads and writes (client, PostgreSQL, Redis,
    # NATS), and asyncio's pure-Python transports spent about a fifth of intake's CPU on them.
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(serve(build(config), extra=serve_http))


if __name__ == "__main__":
    main()
