import asyncio

from runtime import settings
from runtime.service import configure_logging, serve
from services.takeover.app import build, serve_http
from services.takeover.settings import TakeoverSettings


def main() -> None:
    config = settings.load(TakeoverSettings)
    configure_logging(config.log_level, config.instance)
    asyncio.run(serve(build(config), extra=serve_http))


if __name__ == "__main__":
    main()
