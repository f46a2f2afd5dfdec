"""The object store: resumes, screenshots and receipts under `<user_id>/...`.

The local implementation keeps each object as a file under AUTOAPPLY_DATA_DIR/objects; an
S3-compatible one can stand in its place behind the same few calls. Keys are checked so no key
can leave its user's prefix.
"""

import asyncio
import os
import re
import time
from contextlib import suppress
from pathlib import Path
from typing import Protocol
from uuid import UUID

# One path segment of a key: plain characters only, so a key can never climb out of its folder.
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
OBJECTS_DIR = "objects"
# An object this small is written on the event loop: it lands in the page cache in about a fifth
# of a millisecond, and handing it to a thread cost two to four times that in CPU (intake writes
# one per accepted task).
INLINE_MAX_BYTES = 64 * 1024


class ObjectStore(Protocol):
    async def put(self, key: str, data: bytes) -> None: ...
    async def get(self, key: str) -> bytes: ...
    async def keys(self, prefix: str) -> list[str]: ...
    async def delete_prefix(self, prefix: str) -> int: ...
    async def purge_older(self, prefix: str, days: float) -> int: ...


def key(user_id: UUID, *parts: str) -> str:
    """`<user_id>/part/part`; raises ValueError on a part that is not a plain segment."""
    for part in parts:
        if not _SEGMENT.match(part) or part in (".", ".."):
            raise ValueError(f"not a valid object key segment: {part!r}")
    return "/".join((str(user_id), *parts))


def _check(key_or_prefix: str) -> list[str]:
    segments = [s for s in key_or_prefix.split("/") if s]
    if not segments:
        raise ValueError("an object key needs at least the user's prefix")
    UUID(segments[0])  # every key starts with the user it belongs to
    for part in segments[1:]:
        if not _SEGMENT.match(part) or part in (".", ".."):
            raise ValueError(f"not a valid object key segment: {part!r}")
    return segments


def _write_all(fd: int, data: bytes) -> None:
    """os.write may write less than it is given."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class LocalObjects:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / OBJECTS_DIR

    def _path(self, key_or_prefix: str) -> Path:
        return self.root.joinpath(*_check(key_or_prefix))

    async def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if len(data) <= INLINE_MAX_BYTES:
            self._put(path, data)
        else:
            await asyncio.to_thread(self._put, path, data)

    @staticmethod
    def _put(path: Path, data: bytes) -> None:
        # Plain os calls: pathlib's own work was about half of a small object's CPU (intake
        # writes one per accepted task, into a new folder).
        folder, name = os.path.split(path)
        try:
            os.mkdir(folder)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        partial = os.path.join(folder, f".{name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(partial, path)  # readers see the whole object or none of it

    async def put_new(self, key: str, data: bytes) -> None:
        """put() for a fresh key that nothing reads before the caller's next step (intake's task
        snapshot: read only after the task's row commits, which follows this write): written in
        place, without put()'s partial file and rename, one system call and a journal entry fewer
        on every accepted task. Refuses a key that exists; a failure midway deletes what it wrote."""
        if len(data) > INLINE_MAX_BYTES:
            await self.put(key, data)
            return
        path = self._path(key)
        try:
            os.mkdir(path.parent)
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(path.parent, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            _write_all(fd, data)
        except BaseException:
            os.unlink(path)
            raise
        finally:
            os.close(fd)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._path(key).read_bytes)

    async def keys(self, prefix: str) -> list[str]:
        return await asyncio.to_thread(self._list, self._path(prefix))

    def _list(self, folder: Path) -> list[str]:
        if not folder.is_dir():
            return []
        return sorted(
            str(p.relative_to(self.root)) for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")
        )

    async def delete_prefix(self, prefix: str) -> int:
        return await asyncio.to_thread(self._delete, self._path(prefix))

    @staticmethod
    def _delete(path: Path) -> int:
        """Counts what this call removed; another deletion of the same prefix at the same moment
        (the request's own and the user.deleted event's) is no error: what it took is gone either way."""
        if path.is_file():
            with suppress(FileNotFoundError):
                path.unlink()
                return 1
            return 0
        count = 0
        for folder, dirs, names in os.walk(path, topdown=False):
            for name in names:
                with suppress(FileNotFoundError):
                    os.unlink(os.path.join(folder, name))
                    count += 1
            for name in dirs:
                with suppress(FileNotFoundError):
                    os.rmdir(os.path.join(folder, name))
        with suppress(FileNotFoundError):
            os.rmdir(path)
        return count

    async def purge_older(self, prefix: str, days: float) -> int:
        """Deletes objects under the prefix last written more than `days` ago."""
        return await asyncio.to_thread(self._purge, self._path(prefix), time.time() - days * 86400)

    @staticmethod
    def _purge(folder: Path, cutoff: float) -> int:
        old = [p for p in folder.rglob("*") if p.is_file() and p.stat().st_mtime < cutoff] if folder.is_dir() else []
        for path in old:
            path.unlink()
        return len(old)
