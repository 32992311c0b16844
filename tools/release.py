#!/usr/bin/env python3
"""Make a release of mlops: build it, prove the built package works outside the
checkout, and say which tag to push.

    .venv/bin/python tools/release.py [--outdir dist] [--allow-dirty]

1. The version is pyproject.toml's. CHANGELOG.md must have a dated section for it
   (`## [X.Y.Z] - YYYY-MM-DD`), the tag `vX.Y.Z` must not exist yet, and the working
   tree must be clean, so the tag names exactly what was built (`--allow-dirty` to try
   the tool out on uncommitted work; it then prints no tag command).
2. Builds the sdist and, from it, the wheel (`python -m build`, into --outdir), from a
   copy of the files git would commit, so nothing local (a stale egg-info, a build/
   directory, untracked files that are ignored) leaks into them.
3. Installs the wheel, with its dependencies from the package index, into a fresh
   virtual environment in a temporary directory, and there, outside the checkout, runs
   `mlops --version`, `mlops validate` and `mlops compile` on a copy of the bundled
   mlops.yaml: the version must be the one released, and the compiled stacks must be
   byte-identical to generated/.
4. Prints the artifacts and the `git tag` / `git push` commands. It never tags or
   uploads anything itself: a person decides.

Exit codes: 0 released (tag command printed), 1 a check failed (each problem printed),
2 the tool cannot run here (no `build` module: run tools/setup.sh).
"""
from __future__ import annotations

import argparse
import filecmp
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "mlops.yaml"
GENERATED = REPO / "generated"
CHANGELOG = REPO / "CHANGELOG.md"


def version(root: Path = REPO) -> str:
    """The version pyproject.toml gives the package."""
    return tomllib.loads((root / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def changelog_problems(text: str, release: str) -> list[str]:
    """Why CHANGELOG.md does not record `release` as released (empty when it does)."""
    heading = re.compile(rf"^## \[{re.escape(release)}\](.*)$", re.MULTILINE)
    found = heading.findall(text)
    if not found:
        return [f"CHANGELOG.md has no section for {release}: add `## [{release}] - YYYY-MM-DD` with its changes"]
    if len(found) > 1:
        return [f"CHANGELOG.md has {len(found)} sections for {release}"]
    if not re.fullmatch(r" - \d{4}-\d{2}-\d{2}", found[0]):
        return [f"CHANGELOG.md's section for {release} has no release date: `## [{release}] - YYYY-MM-DD`"]
    return []


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout


def dirty() -> bool:
    """Whether the working tree has changes (untracked files included) a tag would not name."""
    return bool(_git("status", "--porcelain").strip())


def repository_problems(release: str, allow_dirty: bool) -> list[str]:
    """A tag that already exists, or uncommitted changes the tag would not name."""
    problems = []
    if _git("tag", "--list", f"v{release}").strip():
        problems.append(f"the tag v{release} exists: bump the version in pyproject.toml (and CHANGELOG.md)")
    if not allow_dirty and dirty():
        problems.append("the working tree has uncommitted changes: commit them (or try with --allow-dirty)")
    return problems


def source_copy(dest: Path, root: Path = REPO) -> Path:
    """The files `git add -A` would commit, copied to `dest`: what a release is built from."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                            capture_output=True, check=True).stdout.decode("utf-8").split("\0")
    for rel in filter(None, listed):
        src = root / rel
        if src.is_file():  # a file deleted but not yet staged is listed by --cached
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def build(outdir: Path, root: Path = REPO) -> tuple[Path, Path]:
    """(sdist, wheel) built into `outdir`, the wheel from the sdist, so both are checked."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlops-release-src-") as tmp:
        src = source_copy(Path(tmp), root)
        subprocess.run([sys.executable, "-m", "build", "--outdir", str(outdir), str(src)], check=True,
                       stdout=subprocess.DEVNULL)
    release = version(root)
    return outdir / f"mlops-{release}.tar.gz", outdir / f"mlops-{release}-py3-none-any.whl"


def install(wheel: Path, venv: Path) -> Path:
    """A fresh virtual environment at `venv` with the wheel and its dependencies; its bin/."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / "bin"
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    str(wheel)], check=True)
    return bindir


def isolated_env() -> dict[str, str]:
    """The environment for commands run from the installed package: nothing points back
    into the checkout or another virtual environment."""
    drop = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "MLOPS_CDK", "MLOPS_DEBUG")
    return {k: v for k, v in os.environ.items() if k not in drop}


def run_installed(bindir: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """`mlops ARGS` of the installed package, in `workdir`."""
    return subprocess.run([str(bindir / "mlops"), *args], cwd=workdir, env=isolated_env(), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=600)


def differences(got: Path, expected: Path) -> list[str]:
    """Files that differ, are missing or are extra in `got` against `expected`, byte for byte."""
    def names(root: Path) -> set[Path]:
        return {p.relative_to(root) for p in root.rglob("*") if p.is_file()}

    have, want = names(got), names(expected)
    found = [f"missing {rel}" for rel in sorted(want - have)] + [f"extra {rel}" for rel in sorted(have - want)]
    found += [f"differs {rel}" for rel in sorted(have & want)
              if not filecmp.cmp(got / rel, expected / rel, shallow=False)]
    return found


def smoke(bindir: Path, workdir: Path, release: str, spec: Path = SPEC, expected: Path = GENERATED) -> list[str]:
    """Run the installed mlops on a copy of `spec` in `workdir`; the problems found."""
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(spec, workdir / "mlops.yaml")
    shown = run_installed(bindir, workdir, "--version")
    problems = [] if shown.returncode == 0 and shown.stdout.startswith(f"mlops {release}\n") else \
        [f"mlops --version printed {shown.stdout!r} {shown.stderr!r}, not mlops {release}"]
    for command in ("validate", "compile"):
        done = run_installed(bindir, workdir, command)
        if done.returncode != 0:
            return problems + [f"mlops {command} exited {done.returncode}: {done.stderr.strip()}"]
    return problems + [f"compiled output: {d}" for d in differences(workdir / "generated", expected)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outdir", type=Path, default=REPO / "dist", help="where the sdist and wheel go (default dist/)")
    parser.add_argument("--allow-dirty", action="store_true", help="build uncommitted work too; prints no tag command")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("build") is None:  # the build frontend, a test dependency
        print("release: the `build` package is missing: run tools/setup.sh", file=sys.stderr)
        return 2
    release = version()
    problems = changelog_problems(CHANGELOG.read_text("utf-8"), release) + repository_problems(release, args.allow_dirty)
    if problems:
        return _fail(problems)
    try:
        sdist, wheel = build(args.outdir.resolve())
        with tempfile.TemporaryDirectory(prefix="mlops-release-") as tmp:
            problems = smoke(install(wheel, Path(tmp) / "venv"), Path(tmp) / "work", release)
    except subprocess.CalledProcessError as failed:  # its own output, above, says why
        return _fail([f"{' '.join(map(str, failed.cmd))} exited {failed.returncode}"])
    if problems:
        return _fail(problems)
    print(f"release: mlops {release} builds, installs and compiles the bundled spec byte-identically outside the checkout")
    print(f"  {sdist}\n  {wheel}")
    if dirty():
        print("release: built from uncommitted work (--allow-dirty): commit, then run it again for the tag command")
        return 0
    print("to tag it:")
    print(f"  git tag -a v{release} -m 'mlops {release}' && git push origin v{release}")
    return 0


def _fail(problems: list[str]) -> int:
    for problem in problems:
        print(f"release: {problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
