"""Extract the slices of botocore's service models that mlops checks against.

For each service in `mlops.awsapi.operations.OPERATIONS`, writes
`compiler/awsapi/<service>.json`: the botocore version, the operations (input and
output shape names) and every shape they reach, without documentation. The compiler
loads these small files instead of botocore itself, which would cost `mlops validate`
half a second.

    .venv/bin/python tools/extract_api_models.py           # rewrite the slices
    .venv/bin/python tools/extract_api_models.py --check   # exit 1 if they differ
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import botocore
from botocore.loaders import create_loader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from compiler.awsapi.operations import OPERATIONS  # noqa: E402

OUT = ROOT / "compiler" / "awsapi"
# What a shape keeps: structure, types and constraints; never documentation.
KEEP = {"type", "members", "required", "member", "key", "value", "enum", "min", "max", "pattern",
        "shape", "locationName", "location", "flattened", "timestampFormat", "union"}


def slice_service(service: str, operations: tuple[str, ...]) -> dict:
    model = create_loader().load_service_model(service, "service-2")
    shapes = model["shapes"]
    kept: dict[str, dict] = {}

    def reach(name: str) -> None:
        if name in kept:
            return
        shape = {k: v for k, v in shapes[name].items() if k in KEEP}
        if "members" in shape:
            shape["members"] = {m: {k: v for k, v in spec.items() if k in KEEP} for m, spec in shape["members"].items()}
        kept[name] = shape
        for ref in _refs(shape):
            reach(ref)

    ops = {}
    for op in operations:
        body = model["operations"][op]
        ops[op] = {key: body[key]["shape"] for key in ("input", "output") if key in body}
        for name in ops[op].values():
            reach(name)
    return {"botocore": botocore.__version__, "service": service, "apiVersion": model["metadata"]["apiVersion"],
            "operations": ops, "shapes": dict(sorted(kept.items()))}


def _refs(shape: dict):
    for member in shape.get("members", {}).values():
        yield member["shape"]
    for key in ("member", "key", "value"):
        if key in shape:
            yield shape[key]["shape"]


def render(doc: dict) -> str:
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed slice differs")
    args = parser.parse_args(argv)
    stale = []
    for service, operations in sorted(OPERATIONS.items()):
        path = OUT / f"{service}.json"
        text = render(slice_service(service, operations))
        if args.check:
            if not path.exists() or path.read_text("utf-8") != text:
                stale.append(path.relative_to(ROOT))
        else:
            path.write_text(text, "utf-8")
    for path in stale:
        print(f"{path} differs from botocore {botocore.__version__}: run tools/extract_api_models.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
