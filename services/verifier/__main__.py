import asyncio
import logging

from runtime import settings
from runtime.service import configure_logging, serve
from services.verifier.app import build
from services.verifier.settings import VerifierSettings

# Their INFO lines can carry what they talk to the mail servers about (search queries with the
# address, unparsed server lines): personal data never goes to the logs.
QUIET_LOGGERS = ("aioimaplib", "googleapiclient", "google_auth_httplib2")


def main() -> None:
    config = settings.load(VerifierSettings)
    configure_logging(config.log_level, config.instance)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    asyncio.run(serve(build(config)))


if __name__ == "__main__":
    main()
