"""What a live socket says of an event (pure): every message names its event, so a page can tell
when its HTTP read has caught up; a sign-in wait says which barrier, and the CLI's live view sends
the user to their own page for it. A socket whose pump fails is closed, so its client reconnects."""

import asyncio
from uuid import uuid4

import pytest
from rich.progress import Progress

from autoapply.watch import _show
from contracts.human import HumanNeeded
from contracts.states import TaskState
from services.intake.live import Listener
from services.intake.messages import describe
from services.intake.sockets import CLOSE_FAILED, Session, _serve

pytestmark = pytest.mark.unit


def _wall() -> HumanNeeded:
    return HumanNeeded(
        task_id=uuid4(),
        user_id=uuid4(),
        reason="sign-in required on linkedin",
        resume_state=TaskState.EXECUTING_RPA,
        sign_in="wall",
    )


def test_every_message_names_its_event_and_a_sign_in_wait_its_barrier() -> None:
    event = _wall()
    after, out = describe(event, 42, TaskState.EXECUTING_RPA)
    assert after is TaskState.NEED_HUMAN
    assert [m["type"] for m in out] == ["state_change", "human_needed"]
    assert all((m["event_id"], m["cursor"], m["event_type"]) == (str(event.event_id), 42, "human.needed") for m in out)
    assert out[1]["sign_in"] == "wall" and out[1]["reason"] == "sign-in required on linkedin"


def test_the_cli_sends_the_user_to_their_page_for_a_sign_in_and_names_a_persons_wait() -> None:
    progress = Progress()
    bar = progress.add_task("job", total=1, status="QUEUED")
    page = "http://127.0.0.1:8000/app/tasks/t?open=signin#signin"
    _, [_, wall] = describe(_wall(), 1, TaskState.EXECUTING_RPA)
    _show(wall, "NEED_HUMAN", progress, bar, page)
    assert progress.tasks[bar].fields["status"] == f"waiting for you: sign in to the job site once, at {page}"
    _show(wall | {"sign_in": None, "reason": "CAPTCHA"}, "NEED_CAPTCHA", progress, bar, page)
    assert progress.tasks[bar].fields["status"] == "waiting for a person (CAPTCHA)"


class _Socket:
    """A client that sends nothing and stays; sending to it fails (the pump's failure)."""

    def __init__(self) -> None:
        self.closed: list[int] = []

    async def receive(self) -> dict[str, str]:
        await asyncio.Event().wait()
        return {"type": "websocket.disconnect"}

    async def send_text(self, text: str) -> None:
        raise RuntimeError("the pump failed")

    async def close(self, code: int, reason: str = "") -> None:
        self.closed.append(code)


class _Feed:
    def __init__(self) -> None:
        self.removed: list[Listener] = []

    def remove(self, listener: Listener) -> None:
        self.removed.append(listener)


async def test_a_socket_whose_pump_fails_is_closed_for_a_reconnect_not_left_open_and_silent() -> None:
    ws, feed = _Socket(), _Feed()
    event = _wall()
    listener = Listener(task_id=event.task_id, user_id=None)
    listener.queue.put_nowait((7, event))
    session = Session(ws, {event.task_id: TaskState.EXECUTING_RPA}, 0)  # type: ignore[arg-type]
    await asyncio.wait_for(_serve(feed, listener, session), 5)  # type: ignore[arg-type]
    assert ws.closed == [CLOSE_FAILED] and feed.removed == [listener]
