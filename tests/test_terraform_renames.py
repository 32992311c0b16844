"""Real Terraform, offline, agrees that a renamed entry keeps its resources.

The bundled spec's dev stack is applied to a local state through the test-only provider
(tests/tfprovider: the planned values, unknowns filled with placeholders), then the spec
with one entry of every renamable kind renamed (`renamed_from`, as a user writes it) is
planned against that state: every resource of the renamed entries moves
(`previous_address`), nothing is destroyed or replaced, and what changes in place is the
`mlops:spec-path` tag. That state is applied in turn, and a second rename of the same
entries (`renamed_from: [first, second]`) plans the same way: the moves chain.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from golden import ROOT
from mlops.pipeline import check, plan
from renaming import renamed

try:
    from tfprovider import harness
except ImportError as exc:  # the provider's dependencies come with the test extras
    pytest.fail(f"the test provider cannot be imported ({exc}): pip install -e '.[test]'", pytrace=False)

pytestmark = pytest.mark.slow

# One entry of every renamable kind in the bundled spec, renamed at once.
RENAMES = [(("data", "buckets"), "features"), (("data", "datasets"), "transactions"), (("models",), "fraud-xgb"),
           (("repositories", "code"), "fraud-model"), (("repositories", "images"), "fraud-train"),
           (("keys", "domains"), "pii"), (("workspace", "users"), "alice")]


def _stack(text: str) -> dict[str, bytes]:
    """The files of generated/dev/ for `text`: cdk.tf.json and the documents it reads."""
    checked = check(text.encode(), "mlops.yaml")
    assert not checked.errors, [f"{e.dotted()}: {e.message}" for e in checked.errors]
    files = plan([t for t in checked.built if t.stack.env.name == "dev"]).files
    return {name.removeprefix("dev/"): content for name, content in files.items() if name.startswith("dev/")}


def _write(files: dict[str, bytes], where: Path) -> dict:
    shutil.rmtree(where / "documents", ignore_errors=True)
    for name, content in files.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_bytes(content)
    return json.loads(files["cdk.tf.json"])


def _rename_all(text: str) -> tuple[str, dict[str, str]]:
    names = {}
    for path, old in RENAMES:
        text, names[old] = renamed(text, path, old)
    return text, names


def _again(text: str, names: dict[str, str]) -> str:
    """The renamed spec renamed once more: `renamed_from: [first, second]`."""
    for (path, first), second in zip(RENAMES, names.values()):
        text, _ = renamed(text, path, second, earlier=(first,))
    return text


def _apply(inst, where: Path) -> None:
    done = harness.terraform(inst, where, "apply", "-input=false", "-lock=false", "-refresh=false",
                             "-auto-approve", "-no-color", "-parallelism=4", timeout=900)
    assert done.returncode == 0, done.output[-3000:]


def _planned(inst, where: Path, files: dict[str, bytes]) -> dict:
    _write(files, where)
    run, _, doc = harness.plan(inst, where)
    assert run.returncode == 0 and doc is not None, run.output[-3000:]
    return doc


def _assert_kept(doc: dict, stack: dict, previous: dict) -> None:
    """`doc` plans `stack` over the applied `previous`."""
    changes = doc["resource_changes"]
    destroyed = [c["address"] for c in changes if "delete" in c["change"]["actions"]]
    assert destroyed == [], f"destroyed or replaced: {destroyed}"
    moved = {c["address"]: c["previous_address"] for c in changes if c.get("previous_address")}
    held = {f"{kind}.{name}" for kind, named in previous["resource"].items() for name in named}
    assert moved == {m["to"]: m["from"] for m in stack["moved"] if m["from"] in held} != {}
    for c in changes:
        if c["change"]["actions"] == ["update"]:
            before, after = c["change"]["before"], c["change"]["after"]
            unknown = {k for k, v in c["change"]["after_unknown"].items() if v is True}
            changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)} - unknown
            # a policy read from a data source that reads a resource being updated (its tag)
            # is known after apply only: Terraform defers the read; the text does not change
            assert changed <= {"tags"}, (c["address"], changed)
            if "tags" in changed:
                tags = after["tags"]
                assert {k for k in tags if tags[k] != before["tags"].get(k)} == {"mlops:spec-path"}, c["address"]


def test_renames_move_resources_and_destroy_nothing(tmp_path_factory: pytest.TempPathFactory):
    if harness.terraform_binary() is None:
        pytest.fail("terraform is not on PATH", pytrace=False)
    original = (ROOT / "mlops.yaml").read_text()
    before = _stack(original)
    once_text, names = _rename_all(original)
    once = _stack(once_text)
    twice = _stack(_again(once_text, names))
    base = tmp_path_factory.mktemp("renames")
    stack = json.loads(before["cdk.tf.json"])
    inst = harness.install(base / "provider", {a: [v] for a, v in harness.required_providers(stack).items()})
    harness.prime(inst, [stack])
    where = harness.copy_stack(json.loads(before["cdk.tf.json"]), base / "dev", inst)
    _write(before, where)
    assert harness.init(inst, where).returncode == 0
    _apply(inst, where)

    _assert_kept(_planned(inst, where, once), json.loads(once["cdk.tf.json"]), json.loads(before["cdk.tf.json"]))
    _apply(inst, where)
    _assert_kept(_planned(inst, where, twice), json.loads(twice["cdk.tf.json"]), json.loads(once["cdk.tf.json"]))
