"""The on-disk cache of `mlops validate`'s fast path: compiled schemas (mlops.compiled_schema)
and the module entry points importlib.metadata found (mlops.entry_points).

What is read from here is executed (a compiled schema is code) or imported (an entry
point names a module), so the cache is used only where nobody else can write: an
absolute directory, owned by the user running mlops and writable by nobody else, and
files likewise. Anything else -- HOME unset (`~` would be read as a folder of the
current directory, perhaps a checkout), a shared or loosened directory, a file another
user wrote -- means no cache: every run then compiles and asks again, which costs time
and nothing else. A cache that cannot be written is the same.

Where: $MLOPS_CACHE_DIR, else $XDG_CACHE_HOME/mlops/schemas, else ~/.cache/mlops/schemas.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def directory() -> Path | None:
    """The cache directory, or None when it would not be an absolute path."""
    if os.environ.get("MLOPS_CACHE_DIR"):
        path = Path(os.environ["MLOPS_CACHE_DIR"])
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        path = Path(base) / "mlops" / "schemas"
    return path if path.is_absolute() else None


def read(path: Path) -> bytes | None:
    """The file's bytes if it and its directory are the user's alone; else None."""
    try:
        if _private(path.parent) and _private(path):
            return path.read_bytes()
    except OSError:
        pass
    return None


def write(path: Path, payload: bytes, family: str, keep: int) -> None:
    """Write atomically (the directory made private if new), then keep only the newest
    `keep` files matching the glob `family`; a directory that is not private is left alone."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(path.parent):
            return
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(payload)
        os.replace(partial, path)
        entries = sorted(path.parent.glob(family), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _private(path: Path) -> bool:
    """Owned by this user and writable by no one else (POSIX; elsewhere, the user's
    profile directory is private already)."""
    if not hasattr(os, "getuid"):
        return True
    info = os.stat(path)
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
