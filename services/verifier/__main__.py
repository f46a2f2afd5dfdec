import asyncio

from runtime import settings
from runtime.service import configure_logging, serve
from services.verifier.app import build
from services.verifier.settings import VerifierSettings


def main() -> None:
    config = settings.load(VerifierSettings)
    configure_logging(config.log_level, config.instance)
    asyncio.run(serve(build(config)))


if __name__ == "__main__":
    main()
