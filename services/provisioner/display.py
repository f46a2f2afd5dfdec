"""The headful live view: a browser on a virtual display of its own (Xvfb), served by x11vnc and
shown in a web page by noVNC through websockify (research/infra.md section 9).

Each headful browser gets its own display, VNC server and websockify, so an operator watching one
task sees that task's browser and nothing else. The first takes the configured noVNC port (6080
by default), the others free ports.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.provisioner import processes
from services.provisioner.fingerprint import Fingerprint
from services.provisioner.ports import free_port, listening

NOVNC_WEB = Path("/usr/share/novnc")
X11_SOCKETS = Path("/tmp/.X11-unix")
# Each part is up in well under a second here; this allows for a loaded machine.
READY_TIMEOUT_S = 15.0
MAX_DISPLAYS = 200


@dataclass(frozen=True)
class View:
    display: int
    url: str
    pids: tuple[tuple[int, str], ...]  # (pid, marker in its command line) of Xvfb, x11vnc, websockify


class LiveViews:
    def __init__(self, first_display: int, novnc_port: int) -> None:
        self.first_display = first_display
        self.novnc_port = novnc_port

    def start(self, directory: Path, fp: Fingerprint) -> View:
        display = self._free_display()
        started: list[tuple[int, str]] = []
        try:
            xvfb = [
                "Xvfb", f":{display}", "-screen", "0", f"{fp.width}x{fp.height}x24", "-nolisten", "tcp",
            ]  # fmt: skip
            started.append((processes.spawn(xvfb, {}, directory / "xvfb.log").pid, f":{display}"))
            _wait(lambda: (X11_SOCKETS / f"X{display}").exists(), "Xvfb")
            vnc_port = free_port()
            x11vnc = [
                "x11vnc", "-display", f":{display}", "-rfbport", str(vnc_port), "-localhost", "-nopw",
                "-forever", "-shared", "-quiet",
            ]  # fmt: skip
            started.append((processes.spawn(x11vnc, {}, directory / "x11vnc.log").pid, f":{display}"))
            _wait(lambda: listening(vnc_port), "x11vnc")
            web_port = self.novnc_port if self.novnc_port and not listening(self.novnc_port) else free_port()
            bridge = ["websockify", "--web", str(NOVNC_WEB), f"127.0.0.1:{web_port}", f"127.0.0.1:{vnc_port}"]
            started.append((processes.spawn(bridge, {}, directory / "websockify.log").pid, f"127.0.0.1:{web_port}"))
            _wait(lambda: listening(web_port), "websockify")
        except BaseException:
            for pid, marker in reversed(started):
                processes.stop(pid, marker, grace_s=1.0)
            raise
        url = f"http://127.0.0.1:{web_port}/vnc.html?autoconnect=1&resize=scale&path=websockify"
        return View(display, url, tuple(started))

    def _free_display(self) -> int:
        for n in range(self.first_display, self.first_display + MAX_DISPLAYS):
            if not (X11_SOCKETS / f"X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
                return n
        raise OSError("no free X display number")


def _wait(ready: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.05)
    raise OSError(f"{what} did not come up for the live view")
