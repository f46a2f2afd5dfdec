"""Reading what reached the bus, for checks of "exactly once"."""

import json
from collections import Counter

import nats
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from contracts.streams import EVENTS_STREAM


async def queued_counts(nats_url: str) -> Counter[str]:
    """How many task.queued messages the stream holds per task id."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        config = ConsumerConfig(
            filter_subject="task.queued.>", deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE
        )
        sub = await js.pull_subscribe("task.queued.>", stream=EVENTS_STREAM, config=config)
        counts: Counter[str] = Counter()
        pending = (await sub.consumer_info()).num_pending or 0
        while pending > 0:
            msgs = await sub.fetch(min(pending, 500), timeout=5)
            for msg in msgs:
                counts[json.loads(msg.data)["task_id"]] += 1
            pending -= len(msgs)
        await sub.unsubscribe()
        return counts
    finally:
        await nc.close()
