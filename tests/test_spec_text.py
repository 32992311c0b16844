"""Text from the spec reaches AWS as written: every Terraform string is a template, so
`${` and `%{` in a description, a tag, a metric regex or a hyperparameter must be
escaped (mlops.module_api.literal) or Terraform changes it (`$${y}` becomes `${y}`) or
refuses the stack (`%{x}`). Every free-text field of the bundled spec and of every
golden case -- a string the schema gives no pattern, enum or reference -- is set to
text with all three, and either validate refuses the spec, or every string of the
built stacks that carries it renders back to it exactly."""

from __future__ import annotations

import copy

import pytest
import yaml

from conftest import ROOT
from golden import CASE_SPECS
from mlops import pipeline, registry
from mlops.renames import walk
from mlops.schema import assemble

SCHEMA = assemble(registry.modules())
TEXT = "MARK %{x} $${y} ${z}"
NOT_TEXT = ("pattern", "enum", "format", "x-mlops-refers-to")


def _fields(data: dict) -> list[tuple]:
    found = []

    def visit(value, node, path):
        kinds = node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]
        if isinstance(value, str) and "string" in kinds and not any(k in node for k in NOT_TEXT) \
                and path[0] not in ("environments", "exceptions", "state", "$schema", "project", "region"):
            found.append(path)

    walk(data, SCHEMA, SCHEMA, (), visit)
    return found


def _render(text: str) -> str:
    """What Terraform makes of a string with no references: its escapes undone."""
    return text.replace("$${", "\0").replace("%%{", "\1").replace("\0", "${").replace("\1", "%{")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _cases(spec):
    data = yaml.safe_load(spec.read_text())
    return [(spec, path) for path in _fields(data)]


def _id(case) -> str:
    spec, path = case
    return f"{spec.parent.name}:{'.'.join(map(str, path))}"


def _check(case) -> None:
    spec, path = case
    data = yaml.safe_load(spec.read_text())
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = TEXT
    checked = pipeline.check(yaml.safe_dump(copy.deepcopy(data)).encode(), "mlops.yaml")
    if checked.errors:  # refused, with an error the user sees (a metric renamed that the gate reads, say)
        return
    changed = [f"{t.stack.env.name}: {where}" for t in checked.built
               for where, value in [*((r.address, r.attrs) for r in t.stack.resources),
                                    *((f"output {o.name}", o.value) for o in t.stack.outputs),
                                    *((f"provider {n}", c) for n, c in t.providers.items())]
               if any("MARK" in s and TEXT not in _render(s) for s in _strings(value))]
    assert changed == [], f"{'.'.join(map(str, path))} reaches AWS changed in: {changed}"


BUNDLED = _cases(ROOT / "mlops.yaml")


@pytest.mark.parametrize("case", BUNDLED, ids=_id)
def test_text_of_the_bundled_spec_reaches_aws_as_written(case):
    _check(case)


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for spec in CASE_SPECS for c in _cases(spec)], ids=_id)
def test_text_of_every_golden_spec_reaches_aws_as_written(case):
    _check(case)
