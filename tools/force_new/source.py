"""Where the provider's Go source is read from, and what to call it in the table's header.

A source is a provider repository at one commit: a checkout (a directory with the
files), or a git directory, bare or not, read at a revision without a work tree (what
`git clone --bare` or a mirror gives). An overlay is a directory of further files laid
over it, for resources the checkout lacks; its PROVENANCE.json names, for each file,
the repository and commit it was copied from, and the table's header repeats that.
"""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from .golit import Group, parse


class SourceError(Exception):
    """The path cannot be read as a provider source."""


class Source:
    """Files of a provider repository at one commit, with an overlay on top."""

    def __init__(self, path: Path, rev: str | None = None, overlay: Path | None = None) -> None:
        self.path = path
        self._git = _git_dir(path)
        # read through git (not the work tree) when there is none, or a revision is asked for
        self._bare = self._git is not None and (rev is not None or not (path / "go.mod").exists())
        self.rev = _run(self._git, "rev-parse", f"{rev or 'HEAD'}^{{commit}}").strip() if self._git else None
        self._paths = self._list()
        self._overlay, self.provenance = _overlay(overlay)
        self._parsed: dict[str, list] = {}

    def _list(self) -> set[str]:
        if self._bare:
            return set(_run(self._git, "ls-tree", "-r", "--name-only", self.rev).splitlines())
        return {str(p.relative_to(self.path)) for p in self.path.rglob("*.go")} | {"go.mod", "CHANGELOG.md"}

    def paths(self, directory: str) -> list[str]:
        """The non-test .go files directly in `directory`, overlay included, sorted."""
        prefix = directory.rstrip("/") + "/"
        names = {p for p in self._paths | set(self._overlay) if p.startswith(prefix) and "/" not in p[len(prefix):]}
        return sorted(p for p in names if p.endswith(".go") and not p.endswith("_test.go"))

    def all_go(self, top: str) -> list[str]:
        """Every non-test .go file under `top`, overlay included, sorted."""
        names = self._paths | set(self._overlay)
        return sorted(p for p in names if p.startswith(top + "/") and p.endswith(".go") and not p.endswith("_test.go"))

    def read(self, path: str) -> str:
        """The text of a file (the overlay's copy when it has one); "" when absent."""
        if path in self._overlay:
            return self._overlay[path].read_text("utf-8")
        if self._bare:
            if path not in self._paths:
                return ""
            return self._cat(f"{self.rev}:{path}")
        file = self.path / path
        return file.read_text("utf-8", "replace") if file.exists() else ""

    def _cat(self, spec: str) -> str:
        """One object through a long-lived `git cat-file --batch` (thousands of files are
        scanned to find the resources; a process each would take minutes)."""
        if getattr(self, "_batch", None) is None:
            self._batch = subprocess.Popen(["git", "--git-dir", str(self._git), "cat-file", "--batch"],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._batch.stdin.write(spec.encode() + b"\n")
        self._batch.stdin.flush()
        header = self._batch.stdout.readline().split()
        if len(header) < 3:  # "<spec> missing": not in this snapshot
            return ""
        data = self._batch.stdout.read(int(header[2]))
        self._batch.stdout.read(1)
        return data.decode("utf-8", "replace")

    def nodes(self, path: str) -> list:
        """The parsed file (see golit), cached."""
        if path not in self._parsed:
            self._parsed[path] = parse(self.read(path))
        return self._parsed[path]

    def module(self) -> str:
        """The Go module path from go.mod (github.com/hashicorp/terraform-provider-aws)."""
        m = re.search(r"^module\s+(\S+)", self.read("go.mod"), re.M)
        if not m:
            raise SourceError(f"{self.path}: no go.mod with a module line at {self.rev or 'the work tree'}")
        return m.group(1)

    def identity(self) -> dict:
        """What the header says about the source: repository, commit, date, the version
        git describes or the CHANGELOG's first heading names, and the overlay's files."""
        out = {"repository": self.module().removeprefix("github.com/")}
        if self._git:
            out["commit"] = self.rev
            out["commit_date"] = _run(self._git, "show", "-s", "--format=%cI", self.rev).strip()
            described = subprocess.run(["git", "--git-dir", str(self._git), "describe", "--tags", self.rev],
                                       capture_output=True, text=True)
            if described.returncode == 0:
                out["describe"] = described.stdout.strip()
        heading = re.search(r"^## (\S+)(?: \(([^)]*)\))?", self.read("CHANGELOG.md"), re.M)
        if heading:
            out["changelog_head"] = f"{heading.group(1)} ({heading.group(2) or 'no date'})"
        if self.provenance:
            out["overlay"] = self.provenance
        return out


def _git_dir(path: Path) -> Path | None:
    """The git directory of a checkout or bare repository, None for plain files."""
    if (path / ".git").exists():
        return path / ".git"
    if (path / "HEAD").exists() and (path / "objects").is_dir():
        return path
    return None


def _run(git: Path, *args: str) -> str:
    done = subprocess.run(["git", "--git-dir", str(git), *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SourceError(f"git {' '.join(args)} in {git}: {done.stderr.strip()}")
    return done.stdout


def _overlay(directory: Path | None) -> tuple[dict[str, Path], dict]:
    """The overlay's files by repository path, and its PROVENANCE.json (every file must
    be named there: a file of unknown origin would make the table unverifiable)."""
    if directory is None:
        return {}, {}
    provenance_file = directory / "PROVENANCE.json"
    if not provenance_file.exists():
        raise SourceError(f"{directory}: an overlay needs PROVENANCE.json naming each file's repository and commit")
    provenance = json.loads(provenance_file.read_text("utf-8"))
    files = {str(p.relative_to(directory)): p for p in directory.rglob("*.go")}
    unnamed = sorted(set(files) - set(provenance))
    if unnamed:
        raise SourceError(f"{directory}: PROVENANCE.json does not name {', '.join(unnamed)}")
    return files, provenance


__all__ = ["Group", "Source", "SourceError"]
