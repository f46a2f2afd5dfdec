"""A sign-in wall or a checkpoint waits for the user: the ticket into the live view, what the user
is told and shown, and what takeover makes of the wait. Pure parts, no server."""

import time
import uuid

import jwt
import pytest

from contracts.human import HumanNeeded
from contracts.states import TaskState
from runtime import tickets
from runtime.tokens import Principal, access_token
from services.intake import notices, view
from services.takeover import state

pytestmark = pytest.mark.unit
SECRET = "s" * 64
IDS = {"task_id": uuid.uuid4(), "user_id": uuid.uuid4()}
JOB = "https://www.linkedin.example.org/jobs/view/42"


def wall(kind: str = "wall") -> HumanNeeded:
    return HumanNeeded(reason="sign-in required on linkedin", resume_state=TaskState.EXECUTING_RPA, sign_in=kind, **IDS)


def test_a_ticket_opens_only_its_own_task_under_its_own_key_until_it_expires() -> None:
    issued = tickets.issue(IDS["user_id"], IDS["task_id"])
    signed = tickets.encode(issued, SECRET)
    assert tickets.verify(signed, SECRET, IDS["task_id"]) == issued
    assert issued.expires_at - time.time() <= tickets.TTL_S
    with pytest.raises(tickets.BadTicket, match="not for this task"):
        tickets.verify(signed, SECRET, uuid.uuid4())
    with pytest.raises(tickets.BadTicket, match="not valid"):
        tickets.verify(signed, "t" * 64, IDS["task_id"])
    expired = tickets.encode(tickets.issue(IDS["user_id"], IDS["task_id"], ttl_s=-5), SECRET)
    with pytest.raises(tickets.BadTicket, match="expired"):
        tickets.verify(expired, SECRET, IDS["task_id"])
    # An access token under the stack's own secret is no ticket, and a ticket no access token.
    token = access_token(Principal(IDS["user_id"], "user", uuid.uuid4()), SECRET, 60)
    with pytest.raises(tickets.BadTicket):
        tickets.verify(token, SECRET, IDS["task_id"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(signed, SECRET, algorithms=["HS256"])


def test_the_user_is_told_to_sign_in_and_the_task_says_it_waits_for_them() -> None:
    told = notices.notice_for(wall(), JOB)
    assert told and told.kind == "sign_in" and told.title.startswith("Sign in once")
    assert told.link == f"/app/tasks/{IDS['task_id']}?open=signin#signin"
    check = notices.notice_for(wall("checkpoint"), JOB)
    assert check and check.title.startswith("A security check")
    timeline = [{"type": "human.needed", "applied": True, "data": wall().model_dump(mode="json"), "at": "now"}]
    waiting = view.waiting(timeline, "HUMAN_TAKEOVER")
    assert waiting and (waiting["for"], waiting["kind"], waiting["sign_in"]) == ("you", "sign_in", "wall")


def test_takeover_opens_a_sign_in_wait_as_its_own_kind() -> None:
    wanted = state.help_wanted(wall("two_step"))
    assert (wanted.kind, wanted.questions) == (state.SIGN_IN, [])
    plain = HumanNeeded(reason="questions", resume_state=TaskState.EXECUTING_RPA, questions=("Why?",), **IDS)
    assert state.help_wanted(plain).kind == "question"
