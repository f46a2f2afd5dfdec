import asyncio
import logging

from runtime import settings
from runtime.service import configure_logging, serve
from services.provisioner.app import build
from services.provisioner.settings import ProvisionerSettings


def main() -> None:
    config = settings.load(ProvisionerSettings)
    configure_logging(config.log_level, config.instance)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per proxy check and CDP probe
    asyncio.run(serve(build(config)))


if __name__ == "__main__":
    main()
