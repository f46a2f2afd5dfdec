import asyncio

from runtime import settings
from runtime.service import configure_logging, serve
from services.executor.app import build
from services.executor.settings import ExecutorSettings


def main() -> None:
    config = settings.load(ExecutorSettings)
    configure_logging(config.log_level, config.instance)
    asyncio.run(serve(build(config)))


if __name__ == "__main__":
    main()
