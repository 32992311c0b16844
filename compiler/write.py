"""Render stacks to bytes, then write them atomically or compare them (`--check`).

Rendering is canonical -- sorted keys, two-space indent, UTF-8, a final newline -- so
the same spec always gives the same bytes whatever its key order. The compiler owns
only the files it writes in each `generated/<env>/` (`cdk.tf.json`, `exceptions.json`,
`RETIRED.md`) and everything under its `documents/` (mlops.documents), so a file there
that compile no longer writes is stale output, and is removed; `.terraform/` and lock
files that `terraform init` leaves beside them are never touched.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .documents import FOLDER

OWNED = ("cdk.tf.json", "exceptions.json", "RETIRED.md")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


_FILE_MODE = 0o666 & ~_umask()


def render(doc: Any) -> bytes:
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Plan:
    """What `generated/` should hold: relative path -> bytes."""

    files: dict[str, bytes]

    def stale(self, outdir: Path) -> list[tuple[str, str]]:
        """(file, why) for files that differ, are missing, or belong to an environment
        that no longer exists."""
        problems = []
        for rel, content in sorted(self.files.items()):
            path = outdir / rel
            if not path.is_file():
                problems.append((rel, "missing"))
            elif path.read_bytes() != content:
                problems.append((rel, "differs"))
        problems += [(rel, "no longer generated") for rel in self._orphans(outdir)]
        return problems

    def write(self, outdir: Path) -> list[str]:
        """Write every file through a temporary sibling and an atomic rename."""
        outdir.mkdir(parents=True, exist_ok=True)
        staged: list[tuple[str, Path]] = []
        try:
            for rel, content in sorted(self.files.items()):
                target = outdir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=".mlops-", dir=target.parent)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; generated files are ordinary files
                staged.append((rel, Path(tmp)))
        except BaseException:
            for _, tmp in staged:
                tmp.unlink(missing_ok=True)
            raise
        changed = []
        for rel, tmp in staged:
            target = outdir / rel
            if target.is_file() and target.read_bytes() == self.files[rel]:
                tmp.unlink()
                continue
            os.replace(tmp, target)
            changed.append(rel)
        orphans = self._orphans(outdir)
        for rel in orphans:
            (outdir / rel).unlink()
            changed.append(f"{rel} (removed)")
        for rel in orphans:
            _prune((outdir / rel).parent, outdir)
        return changed

    def _orphans(self, outdir: Path) -> list[str]:
        """Files compile owns that it no longer writes, in the directories of environments
        (those it writes now, or that hold a file only it writes): an owned name, or a
        document (`documents/<type>/<name>.json`, its README.md and .gitattributes). Anything else --
        a folder of the user's beside them, a dotfile an editor or a file manager leaves --
        is not compile's to judge or delete."""
        if not outdir.is_dir():
            return []
        writes = {rel.split("/", 1)[0] for rel in self.files}
        found = []
        for env_dir in sorted(p for p in outdir.iterdir() if p.is_dir()):
            owned = [env_dir / name for name in OWNED if (env_dir / name).is_file()]
            if not owned and env_dir.name not in writes:
                continue
            documents = env_dir / FOLDER
            owned += sorted(p for p in [documents / "README.md", documents / ".gitattributes",
                                        *(p for p in documents.glob("*/*.json") if not p.name.startswith("."))]
                            if p.is_file())
            found += [rel for rel in (p.relative_to(outdir).as_posix() for p in owned) if rel not in self.files]
        return found


def _prune(directory: Path, outdir: Path) -> None:
    """Remove `directory` and its parents up to `outdir` while they are empty."""
    while directory != outdir:
        try:
            directory.rmdir()
        except OSError:
            return  # terraform's own files (or other documents) are still there: keep it
        directory = directory.parent
