"""LocalObjects.put_new: a fresh key written in place (no partial file, no rename), readable at once,
never over an existing object, and kept inside its user's prefix like every key."""

import uuid
from pathlib import Path

import pytest

from runtime import objects

pytestmark = pytest.mark.unit


async def test_a_fresh_key_is_written_in_place_and_read_back(tmp_path: Path) -> None:
    store = objects.LocalObjects(tmp_path)
    key = objects.key(uuid.uuid4(), "tasks", str(uuid.uuid4()), "profile.json")
    await store.put_new(key, b'{"resume_key": null}')
    assert await store.get(key) == b'{"resume_key": null}'
    assert [p.name for p in (tmp_path / objects.OBJECTS_DIR / key).parent.iterdir()] == ["profile.json"]


async def test_an_existing_key_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    store = objects.LocalObjects(tmp_path)
    key = objects.key(uuid.uuid4(), "tasks", str(uuid.uuid4()), "profile.json")
    await store.put_new(key, b"first")
    with pytest.raises(FileExistsError):
        await store.put_new(key, b"second")
    assert await store.get(key) == b"first"


async def test_a_key_outside_a_users_prefix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        await objects.LocalObjects(tmp_path).put_new("tasks/../../etc/profile.json", b"x")
