"""Running PostgreSQL when we are root: a system user, and a data directory that user can reach.

PostgreSQL refuses to run as root. Its server runs as the `postgres` system user (or a system user
of our own when there is none), and every parent directory of its data directory must let that user
pass. Root's home is usually mode 0700, so a data directory under it is moved to the system's
temporary area instead; we never loosen the permissions of anyone's home.
"""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

from autoapply.local.procs import RunAs

PREFERRED_USER = "postgres"
# Created only when the machine has no postgres user (PostgreSQL installed outside the OS packages).
FALLBACK_USER = "autoapply-pg"
# Survives reboots, unlike /tmp on many systems; used only when the wanted place is unreachable.
PERSISTENT_TMP = Path("/var/tmp")
# Written next to the requested place so a reader can find where the data really lives.
NOTE_FILE = "postgres-data-location.txt"


def is_root() -> bool:
    return os.geteuid() == 0


def server_user() -> RunAs:
    """The system user PostgreSQL runs as, created (as a system account) if none exists."""
    for name in (PREFERRED_USER, FALLBACK_USER):
        try:
            entry = pwd.getpwnam(name)
            return RunAs(user=name, group=grp.getgrgid(entry.pw_gid).gr_name)
        except KeyError:
            continue
    shell = shutil.which("nologin") or "/bin/false"
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", shell, FALLBACK_USER], check=True, capture_output=True
    )
    entry = pwd.getpwnam(FALLBACK_USER)
    return RunAs(user=FALLBACK_USER, group=grp.getgrgid(entry.pw_gid).gr_name)


def can_traverse(path: Path, user: str) -> bool:
    """Whether user may pass through every existing directory from / down to path."""
    entry = pwd.getpwnam(user)
    groups = {entry.pw_gid} | {g.gr_gid for g in grp.getgrall() if user in g.gr_mem}
    for directory in [path, *path.parents]:
        if not directory.exists():
            continue
        st = directory.stat()
        if st.st_uid == entry.pw_uid:
            bit = stat.S_IXUSR
        elif st.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def outside_home(wanted: Path) -> Path:
    """A private directory in the persistent temp area standing in for `wanted` (same one each time)."""
    base = PERSISTENT_TMP if PERSISTENT_TMP.is_dir() else Path(tempfile.gettempdir())
    digest = hashlib.sha256(str(wanted).encode()).hexdigest()[:16]
    holder = base / f"autoapply-pg-{digest}"
    try:
        holder.mkdir()
        holder.chmod(0o711)  # traverse only; set after mkdir because the umask may be stricter
    except FileExistsError:
        _check_holder(holder)
    return holder / wanted.name


def _check_holder(holder: Path) -> None:
    # The temp area is world-writable: refuse a directory someone else planted under our name.
    st = holder.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise PermissionError(f"{holder} exists but is not a private directory of ours; remove it")


def place_data_dir(wanted: Path, user: RunAs | None) -> Path:
    """Where the data directory goes: `wanted`, unless the server user cannot reach it."""
    if user is None or can_traverse(wanted.parent, user.user):
        return wanted
    actual = outside_home(wanted)
    note = wanted.parent / NOTE_FILE
    note.write_text(
        f"PostgreSQL's data for this folder is in {actual}\n"
        f"(the {user.user} user cannot pass through {wanted.parent}).\n"
    )
    return actual


def own_data_dir(data_dir: Path, user: RunAs | None) -> None:
    """Create the data directory (0700, as initdb wants) owned by the server user."""
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if user is not None:
        shutil.chown(data_dir, user.user, user.group)
    data_dir.chmod(0o700)


def remove_data_dir(data_dir: Path, wanted: Path) -> None:
    """Delete the data (and the stand-in holder and note when it was moved)."""
    shutil.rmtree(data_dir, ignore_errors=True)
    if data_dir != wanted:
        shutil.rmtree(data_dir.parent, ignore_errors=True)
        (wanted.parent / NOTE_FILE).unlink(missing_ok=True)
