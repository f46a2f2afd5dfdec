import asyncio

from runtime import settings
from runtime.service import configure_logging, serve
from services.takeover.app import build
from services.takeover.settings import TakeoverSettings


def main() -> None:
    config = settings.load(TakeoverSettings)
    configure_logging(config.log_level, config.instance)
    asyncio.run(serve(build(config)))


if __name__ == "__main__":
    main()
