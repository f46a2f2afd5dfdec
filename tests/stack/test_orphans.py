"""`autoapply down` leaves no browser of the stack running, even one no provisioner stopped."""

import asyncio
import sys
import uuid
from pathlib import Path

import psutil
import pytest

from autoapply.local import orphans
from autoapply.stack import Stack
from services.provisioner import fingerprint
from services.provisioner.providers import ProfileSpec
from services.provisioner.providers.local import LocalProvider
from tests.stack.helpers import alive, assert_gone, process_tree

pytestmark = pytest.mark.integration


async def test_down_stops_a_browser_its_provisioner_left_behind_and_only_the_stacks_own(tmp_path: Path) -> None:
    stack, other = Stack(tmp_path / "stack"), Stack(tmp_path / "other")
    # Started as the provisioner starts one (a session of its own), then left behind: no
    # provisioner runs and no pid file names it, as after a provisioner killed mid-start.
    ours = LocalProvider(stack.browsers, block_dns=True)
    left = ProfileSpec(str(uuid.uuid4()), fingerprint.generate())
    left_session = await ours.start(left)
    # Another stack's browser, as far as its command line says: not this stack's to stop.
    marker = f"--user-data-dir={other.browsers / 'p' / 'profile'}"
    theirs = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import time; time.sleep(60)", marker, start_new_session=True
    )
    try:
        assert left_session.pid is not None
        tree = process_tree(left_session.pid)
        assert len(tree) > 1 and {p.pid for p in orphans.leftovers(stack.browsers)} >= {left_session.pid}
        outcome = dict(await asyncio.to_thread(_down, stack))
        assert "stopped" in outcome["browsers"], outcome
        assert_gone(tree)  # the browser, its renderers and helpers
        assert orphans.leftovers(stack.browsers) == []
        assert alive([psutil.Process(theirs.pid)]), "another stack's browser was stopped"
        assert "browsers" not in dict(await asyncio.to_thread(_down, stack))  # nothing left: nothing said
    finally:
        theirs.kill()
        await theirs.wait()
        await ours.stop(left)


def _down(stack: Stack) -> list[tuple[str, str]]:
    with stack.locked():
        return stack.down()
