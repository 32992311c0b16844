"""The command line of tools/extract_provider_schema.py (its docstring has the usage).

Exit codes: 0 written or up to date, 1 --check found a difference, 2 the package or the
arguments cannot give a trustworthy slice (ExtractError).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from . import REPO
from .extract import extract, provider_identity, read_types_file
from .model import Package
from .output import check, dump_json, output_paths, write
from .pin import check_pin
from .rules import ExtractError
from .tarball import read_package
from .wheels import DEFAULT_DOWNLOAD_DIR, download_wheel


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="extract_provider_schema.py",
        description="Extract a Terraform provider schema (terraform providers schema -json shape) "
        "from a prebuilt CDK Terrain provider package.",
    )
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--wheel", type=Path, help="the provider wheel (or its jsii .tgz, or an installed package dir)")
    src.add_argument("--package", help="PyPI package to download with pip, e.g. cdktn-provider-aws")
    ap.add_argument("--version", help="package version for --package, e.g. 25.8.1")
    ap.add_argument("--download-dir", type=Path, default=DEFAULT_DOWNLOAD_DIR, help="where --package keeps wheels")
    ap.add_argument("--find-links", action="append", default=[], help="offline: pip --no-index --find-links DIR")
    sel = ap.add_mutually_exclusive_group(required=True)
    sel.add_argument("--types", type=Path, help="types file: one type a line, data sources as data.<type>")
    sel.add_argument("--all", action="store_true", help="every resource and data source (needs --out)")
    ap.add_argument("--out", type=Path,
                    help="schema output (default compiler/schemas/providers/<provider>.json with --types)")
    ap.add_argument("--resolutions", type=Path, help="resolutions output (default: <out stem>.resolutions.json)")
    ap.add_argument("--check", action="store_true", help="compare with the existing files instead of writing; exit 1 on a difference")
    ap.add_argument("--no-pin-check", action="store_true", help="allow a provider version other than compiler/providers.py's pin")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = _parser()
    args = ap.parse_args(argv)
    if args.package and not args.version:
        ap.error("--package needs --version")
    if args.all and not args.out:
        ap.error("--all needs --out (the full schema is not committed)")
    try:
        return _run(args)
    except ExtractError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    """Fetch, read, extract, check the pin, then write or compare; the pin is checked before anything is written."""
    t0 = time.perf_counter()
    wheel = args.wheel or download_wheel(args.package, args.version, args.download_dir, args.find_links)
    selected = read_types_file(args.types) if args.types else None
    package = read_package(wheel, set(selected) if selected is not None else None)
    t_read = time.perf_counter() - t0
    doc, resolutions = extract(package, selected)
    short, address, version = provider_identity(package)
    check_pin(package, short, address, version, allow_other=args.no_pin_check)
    if args.types:
        resolutions["types_file"] = _types_file_name(args.types)
    out, res_path = output_paths(short, args.out, args.resolutions)
    schema_text, res_text = dump_json(doc), dump_json(resolutions)
    summary = _summary(package, address, version, doc, resolutions, t_read, time.perf_counter() - t0)
    if resolutions["missing_types"]:
        print("missing (not in this provider version): " + ", ".join(resolutions["missing_types"]), file=sys.stderr)
    if args.check:
        return check([(out, schema_text), (res_path, res_text)], summary)
    write((out, schema_text), (res_path, res_text), summary)
    return 0


def _types_file_name(path: Path) -> str:
    """The types file as the resolutions name it: repository-relative when inside it."""
    return os.path.relpath(path.resolve(), REPO) if path.resolve().is_relative_to(REPO) else str(path)


def _summary(
    package: Package,
    address: str,
    version: str,
    doc: dict[str, Any],
    resolutions: dict[str, Any],
    t_read: float,
    elapsed: float,
) -> str:
    """One line for stderr: what was extracted, from which package, and how long it took."""
    n_res = len(doc["provider_schemas"][address]["resource_schemas"])
    n_data = len(doc["provider_schemas"][address]["data_source_schemas"])
    return (
        f"{address} {version} (from {package.name} {package.version}): {n_res} resources, {n_data} data sources, "
        f"{len(resolutions['cases'])} conservative resolutions; read {t_read:.1f}s, total {elapsed:.1f}s"
    )
