"""The live view's screen script (static/screen.js), one file in the repository that both pages
showing a task's browser serve: takeover's operator page and the job seeker's page at intake."""

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount(path: str) -> Mount:
    """The shared scripts under `path` (the script is then at `<path>/screen.js`)."""
    return Mount(path, app=StaticFiles(directory=STATIC), name="shared-static")
