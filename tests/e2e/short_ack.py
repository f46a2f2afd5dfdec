"""The executor exactly as `python -m services.executor`, but with the ack wait of its flow
consumers set by E2E_ACK_WAIT_S, so a crash test sees a redelivery in seconds, not two minutes.

The executor has no setting for it (its ack waits are constants sized to a whole application);
this stands in for one in tests only.
"""

import dataclasses
import os

from services.executor import __main__ as entry
from services.executor import app

FLOW_CONSUMERS = ("PROFILE_READY", "RESUMED")


def main() -> None:
    ack_wait_s = float(os.environ["E2E_ACK_WAIT_S"])
    for name in FLOW_CONSUMERS:
        setattr(app, name, dataclasses.replace(getattr(app, name), ack_wait_s=ack_wait_s))
    entry.main()


if __name__ == "__main__":
    main()
