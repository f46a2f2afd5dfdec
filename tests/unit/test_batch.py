"""runtime.batch: a fetch's first deliveries go to the batch handler together and are acked after it
returns; redeliveries and unknown types go alone; a failed batch goes alone, message by message."""

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

import pytest
from nats.aio.msg import Msg

from contracts.streams import ConsumerSpec
from runtime.batch import Batches, Item
from runtime.bus import encode
from tests.support import queued_event

pytestmark = pytest.mark.unit

SPEC = ConsumerSpec(durable="read-model-test", filter_subjects=("task.>",), fetch_batch=10, skip_unknown_types=True)


@dataclass
class FakeMsg:
    subject: str
    data: bytes
    headers: dict[str, str]
    delivered: int = 1
    answers: list[str] = field(default_factory=list)

    @property
    def metadata(self) -> Any:
        return SimpleNamespace(num_delivered=self.delivered, sequence=SimpleNamespace(stream=1))

    async def ack_sync(self, **_: float) -> None:
        self.answers.append("ack")

    async def ack(self) -> None:
        self.answers.append("plain ack")

    async def nak(self, delay: float | None = None) -> None:
        self.answers.append("nak")

    async def in_progress(self) -> None:
        pass


def message(delivered: int = 1, subject: str | None = None) -> FakeMsg:
    found, payload, headers = encode(queued_event())
    return FakeMsg(subject or found, payload, headers, delivered)


class Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.batches: list[list[Item]] = []
        self.alone: list[FakeMsg] = []

    async def batch(self, items: list[Item]) -> None:
        self.batches.append(items)
        if self.fail:
            raise RuntimeError("the database went away")

    async def single(self, msg: Msg) -> None:
        self.alone.append(cast(FakeMsg, msg))


def batches(recorder: Recorder) -> Batches:
    return Batches(SPEC, recorder.batch, recorder.single, lambda: 30.0)


async def test_first_deliveries_go_together_and_are_acked_the_rest_go_alone() -> None:
    first = [message(), message()]
    again = message(delivered=2)
    unknown = message(subject="task.someday.00000000-0000-0000-0000-000000000000")
    recorder = Recorder()
    await batches(recorder).run(cast(list[Msg], [first[0], again, unknown, first[1]]))
    assert [[str(e.event_id) for e, _ in b] for b in recorder.batches] == [[_id(m) for m in first]]
    assert [m.answers for m in first] == [["plain ack"], ["ack"]]  # one confirmed ack a batch: the last
    assert recorder.alone == [again, unknown] and again.answers == unknown.answers == []


async def test_a_failed_batch_is_not_acked_and_goes_alone_in_its_order() -> None:
    msgs = [message(), message(), message()]
    recorder = Recorder(fail=True)
    await batches(recorder).run(cast(list[Msg], msgs))
    assert len(recorder.batches) == 1
    assert recorder.alone == msgs
    assert all(m.answers == [] for m in msgs)  # the single path answers each


def _id(msg: FakeMsg) -> Any:
    return msg.headers["Nats-Msg-Id"]
