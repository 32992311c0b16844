"""Real Terraform agrees with our stacks: init, validate and plan, offline.

Every golden stack (``modules/*/cases/*/expected/<env>/cdk.tf.json``) and every
``generated/<env>/cdk.tf.json`` is copied, with the ``documents/`` it reads, to a session
folder with an ``override.tf.json`` that swaps the S3 backend for ``local`` (so one ``init`` serves both
``validate`` and ``plan`` and nothing reaches AWS), then run through ``terraform init``,
``validate`` and ``plan -refresh=false``. The ``hashicorp/aws`` provider Terraform talks to
is ``tests/tfprovider``: a test-only provider serving the AWS provider schema
(``compiler/schemas/providers/aws.json``, or the hand-written fixture while that is
absent; any other provider a stack pins, from the ``compiler/schemas/providers/*.json``
that holds it) over plugin protocol v6. Terraform itself checks each stack against that schema.

Deliberately broken copies must fail with Terraform's own error text.

Without a ``terraform`` binary (or the provider's Python dependencies) the tests skip
locally; in CI (``CI`` set) they fail. A provider that Terraform cannot install or
start always fails.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from golden import ROOT, STACK_IDS, STACKS, load_stack
from terraform_support import WORKERS, Outcome, provider_importable, run_stack, tf  # noqa: F401 (fixtures)

try:  # the provider's dependencies come with `pip install -e '.[test]'` (tools/setup.sh)
    from tfprovider import cty, harness
    from tfprovider.server import known_data_state, plan_new_state
except ImportError:  # reported by terraform_support's autouse fixture: skip locally, fail in CI
    pass

# Real Terraform init/validate/plan over every stack: minutes on 2 cores.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def stack_outcomes(tf: harness.Installation, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """init, validate, plan and show for every stack, two at a time."""
    base = tmp_path_factory.mktemp("stacks")
    t0 = time.monotonic()
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {
            sid: pool.submit(run_stack, tf, sid, p, base / sid.replace("/", "__"), True)
            for sid, p in zip(STACK_IDS, STACKS, strict=True)
        }
        outcomes = {sid: f.result() for sid, f in futures.items()}
    print(f"\nterraform: {len(outcomes)} stacks in {time.monotonic() - t0:.1f}s (schema: {tf.schema_label})")
    return outcomes


# ---------------------------------------------------------------------------- every stack
@pytest.mark.parametrize("sid", STACK_IDS)
def test_stack_initializes(stack_outcomes: dict[str, Outcome], sid: str) -> None:
    o = stack_outcomes[sid]
    assert o.runs["init"].returncode == 0, o.failure("init")


@pytest.mark.parametrize("sid", STACK_IDS)
def test_stack_validates(stack_outcomes: dict[str, Outcome], sid: str) -> None:
    o = stack_outcomes[sid]
    assert "validate" in o.runs, o.failure("init")
    errors = harness.diagnostics(o.validate_doc, "error")
    valid = o.validate_doc.get("valid") is True and not errors
    assert valid, f"terraform validate rejects {sid}:\n  " + "\n  ".join(errors or [o.runs["validate"].output])


@pytest.mark.parametrize("sid", STACK_IDS)
def test_stack_plans_every_resource(stack_outcomes: dict[str, Outcome], sid: str) -> None:
    o = stack_outcomes[sid]
    if "plan" not in o.runs:
        pytest.fail("not planned: terraform validate failed (see test_stack_validates)", pytrace=False)
    assert o.runs["plan"].returncode == 0, o.failure("plan")
    assert o.plan_doc is not None, o.failure("show")

    stack = json.loads((o.dir / "cdk.tf.json").read_text())
    managed, data = harness.stack_addresses(stack)
    changes = o.plan_doc.get("resource_changes", [])
    managed_changes = [c for c in changes if c["mode"] == "managed"]
    creates = {f'{c["type"]}.{c["name"]}' for c in managed_changes if c["change"]["actions"] == ["create"]}
    others = {c["address"]: c["change"]["actions"] for c in managed_changes if c["change"]["actions"] != ["create"]}
    assert not others, f"a fresh stack should only create: {others}"
    assert creates == managed, (f"planned but not declared: {sorted(creates - managed)}; "
                                f"declared but not planned: {sorted(managed - creates)}")
    # data sources are read now (known configuration) or deferred to apply (action "read")
    deferred = {f'data.{c["type"]}.{c["name"]}' for c in changes if c["mode"] == "data"}
    assert deferred <= data
    # every output of the stack is planned
    assert set(o.plan_doc.get("output_changes", {})) == set(stack.get("output", {}))


# ---------------------------------------------------------------------------- broken copies
def _first(stack: dict, rtype: str) -> dict:
    insts = stack.get("resource", {}).get(rtype)
    if not insts:
        pytest.fail(f"no {rtype} in the base stack to break", pytrace=False)
    return insts[sorted(insts)[0]]


def _misspelt(stack: dict) -> None:
    b = _first(stack, "aws_s3_bucket")
    b["bukcet"] = b.pop("bucket")


def _missing_required(stack: dict) -> None:
    del _first(stack, "aws_subnet")["vpc_id"]


def _block_as_map(stack: dict) -> None:
    # versioning_configuration is a list block; keyed by a name, as if it were a map of
    # blocks, the key reads as an argument inside one block
    v = _first(stack, "aws_s3_bucket_versioning")
    v["versioning_configuration"] = {"main": v["versioning_configuration"][0]}


def _undeclared_reference(stack: dict) -> None:
    _first(stack, "aws_kms_alias")["target_key_id"] = "${aws_kms_key.nope.arn}"


def _block_as_single_object(stack: dict) -> None:
    # HCL's JSON syntax reads one object as one block: accepted, not an error
    v = _first(stack, "aws_s3_bucket_versioning")
    v["versioning_configuration"] = v["versioning_configuration"][0]


# case: (the resource type it breaks, the mutation, Terraform's (summary, detail) errors)
BROKEN: dict[str, tuple[str, Callable[[dict], None], list[tuple[str, str]]]] = {
    "misspelt-attribute": ("aws_s3_bucket", _misspelt, [
        ("Extraneous JSON object property", 'No argument or block type is named "bukcet". Did you mean "bucket"?')]),
    "missing-required-argument": ("aws_subnet", _missing_required, [
        ("Missing required argument", 'The argument "vpc_id" is required, but no definition was found.')]),
    "block-as-map": ("aws_s3_bucket_versioning", _block_as_map, [
        ("Extraneous JSON object property", 'No argument or block type is named "main".'),
        ("Missing required argument", 'The argument "status" is required, but no definition was found.')]),
    "undeclared-reference": ("aws_kms_alias", _undeclared_reference, [
        ("Reference to undeclared resource",
         'A managed resource "aws_kms_key" "nope" has not been declared in the root module.')]),
}
ACCEPTED: dict[str, tuple[str, Callable[[dict], None]]] = {
    "block-as-single-object": ("aws_s3_bucket_versioning", _block_as_single_object),
}


def _base_stack(rtype: str) -> Path:
    """The smallest stack that has an *rtype* to break."""
    having = [p for p in STACKS if load_stack(p).get("resource", {}).get(rtype)]
    if not having:
        pytest.fail(f"no stack has an {rtype} to break", pytrace=False)
    return min(having, key=lambda p: (p.stat().st_size, p))


def _errors(o: Outcome) -> list[tuple[str, str]]:
    return sorted((d.get("summary", ""), d.get("detail", "")) for d in o.validate_doc.get("diagnostics", [])
                  if d.get("severity") == "error")


@pytest.fixture(scope="session")
def broken_outcomes(tf: harness.Installation, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Each mutation on a copy of a stack, and each such stack unmodified (``base:<stack>``):
    a case is judged by the errors the mutation adds, whatever state the stack is in."""
    base = tmp_path_factory.mktemp("broken")
    cases = {n: (rtype, f) for n, (rtype, f, _) in BROKEN.items()} | ACCEPTED
    jobs = {}
    with ThreadPoolExecutor(WORKERS) as pool:
        for name, (rtype, mutate) in cases.items():
            src = _base_stack(rtype)
            sid = str(src.parent.relative_to(ROOT))
            if f"base:{sid}" not in jobs:
                jobs[f"base:{sid}"] = pool.submit(run_stack, tf, sid, load_stack(src),
                                                  base / ("base__" + sid.replace("/", "__")), False)
            s = load_stack(src)
            mutate(s)
            jobs[name] = pool.submit(run_stack, tf, f"base:{sid}", s, base / name, False)
        return {n: f.result() for n, f in jobs.items()}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_stack_fails_in_terraform(broken_outcomes: dict[str, Outcome], case: str) -> None:
    o = broken_outcomes[case]
    baseline = broken_outcomes[o.name]
    assert o.runs["init"].returncode == 0, o.failure("init")
    assert o.runs["validate"].returncode != 0 and o.validate_doc.get("valid") is False, o.failure("validate")
    added = list(_errors(o))
    for e in _errors(baseline):
        if e in added:
            added.remove(e)
    for expected in BROKEN[case][2]:
        assert expected in added, f"expected {expected} among the errors the mutation adds: {added}"


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_json_syntax_accepts_single_object_for_list_block(broken_outcomes: dict[str, Outcome], case: str) -> None:
    o = broken_outcomes[case]
    assert o.runs["init"].returncode == 0, o.failure("init")
    assert _errors(o) == _errors(broken_outcomes[o.name]), o.failure("validate")


# ---------------------------------------------------------------------------- the provider's own logic
BLOCK = {
    "attributes": {"id": {"type": "string", "optional": True, "computed": True},
                   "name": {"type": "string", "required": True},
                   "arn": {"type": "string", "computed": True},
                   "tags": {"type": ["map", "string"], "optional": True},
                   "count": {"type": "number", "computed": True},
                   "anything": {"type": "dynamic", "optional": True}},
    "block_types": {"rule": {"nesting_mode": "set", "block": {"attributes": {
        "status": {"type": "string", "required": True},
        "days": {"type": "number", "optional": True, "computed": True}}}}},
}


def test_cty_msgpack_round_trip_with_unknown_and_dynamic() -> None:
    ty = cty.block_type(BLOCK)
    value = {"id": None, "name": "x", "arn": cty.UNKNOWN, "tags": {"b": "2", "a": "1"}, "count": 3,
             "anything": cty.Dyn(["list", "string"], ["p", "q"]), "rule": [{"status": "Enabled", "days": None}]}
    data = cty.pack(value, ty)
    assert b"\xd4\x00\x00" in data  # cty's unknown: fixext1, type 0
    assert cty.unpack(data, ty) == value


def test_plan_marks_computed_nulls_unknown_and_data_reads_fill_them() -> None:
    proposed = {"id": None, "name": "x", "arn": None, "tags": None, "count": None, "anything": None,
                "rule": [{"status": "Enabled", "days": None}]}
    planned = plan_new_state(BLOCK, proposed)
    assert planned["id"] is cty.UNKNOWN and planned["arn"] is cty.UNKNOWN and planned["count"] is cty.UNKNOWN
    assert planned["tags"] is None and planned["name"] == "x"  # optional-only and set values stay
    assert planned["rule"] == [{"status": "Enabled", "days": cty.UNKNOWN}]
    read = known_data_state(BLOCK, proposed, "aws_thing")
    assert not cty.contains_unknown(read)
    assert read["count"] == 0 and read["arn"].startswith("arn:") and read["rule"][0]["days"] == 0


def test_a_known_plan_names_the_resource_and_keeps_what_the_configuration_sets() -> None:
    """TFPROVIDER_PLAN_KNOWN (test_documents_terraform.py): computed nulls become
    placeholders naming the resource; a value the configuration sets, even one unknown
    until apply, is planned as it is, or Terraform calls the plan invalid."""
    proposed = {"id": None, "name": cty.UNKNOWN, "arn": None, "tags": None, "count": None, "anything": None,
                "rule": [{"status": "Enabled", "days": None}]}
    one, other = plan_new_state(BLOCK, proposed, "aws_thing-1"), plan_new_state(BLOCK, proposed, "aws_thing-2")
    assert one["arn"] == "arn:aws:placeholder:eu-west-1:000000000000:aws_thing-1/arn" != other["arn"]
    assert one["id"] == "aws_thing-1-id-placeholder" and one["rule"] == [{"status": "Enabled", "days": 0}]
    assert one["name"] is cty.UNKNOWN and one["tags"] is None



def _provider_process(tmp_path: Path, client_cert_pem: bytes):
    import subprocess
    import sys

    from tfprovider import schema as tfschema

    cache = tfschema.build_cache(harness.fixture.write(tmp_path / "aws.json"), tmp_path / "cache")
    env = dict(os.environ, PYTHONPATH=str(Path(harness.__file__).parent.parent),
               TF_PLUGIN_MAGIC_COOKIE="d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
               PLUGIN_PROTOCOL_VERSIONS="5,6", PLUGIN_CLIENT_CERT=client_cert_pem.decode())
    return subprocess.Popen([sys.executable, "-m", "tfprovider", "--cache", str(cache)], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def test_handshake_and_mutual_tls(tmp_path: Path) -> None:
    """The go-plugin handshake line, a client certificate that is required and verified,
    GetProviderSchema over gRPC, and a prompt exit on GRPCController.Shutdown."""
    import base64
    import socket
    import ssl

    import grpc
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from tfprovider.server import server_certificate
    from tfprovider.stubs import controller_pb2, controller_pb2_grpc, tfplugin6_pb2, tfplugin6_pb2_grpc

    key_pem, cert_pem, _ = server_certificate()  # stands in for Terraform's client certificate
    other_key, other_cert, _ = server_certificate()
    proc = _provider_process(tmp_path, cert_pem)
    try:
        line = proc.stdout.readline().strip()
        core, app, net, addr, proto, cert_b64 = line.split("|")
        assert (core, app, net, proto) == ("1", "6", "tcp", "grpc") and addr.startswith("127.0.0.1:")
        assert "=" not in cert_b64
        der = base64.b64decode(cert_b64 + "=" * (-len(cert_b64) % 4))
        server_pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
        host, port = addr.split(":")

        def tls_connect(cert: bytes, key: bytes | None) -> bytes:
            """The first bytes the server sends after the HTTP/2 preface: gRPC's SETTINGS
            frame once TLS is through, nothing (or an alert) when our certificate is refused."""
            ctx = ssl.create_default_context(cadata=server_pem.decode())
            ctx.set_alpn_protocols(["h2"])
            if key is not None:
                (tmp_path / "c.pem").write_bytes(cert)
                (tmp_path / "k.pem").write_bytes(key)
                ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
            with socket.create_connection((host, int(port)), timeout=5) as raw, \
                    ctx.wrap_socket(raw, server_hostname="localhost") as s:
                assert s.selected_alpn_protocol() == "h2"  # grpc-go insists on it
                s.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
                try:  # TLS 1.3: a refused client certificate shows on the first read
                    return s.recv(9)
                except (ssl.SSLError, ConnectionError):
                    return b""

        assert tls_connect(cert_pem, key_pem)[3:4] == b"\x04"  # an HTTP/2 SETTINGS frame
        assert tls_connect(other_cert, other_key) == b""  # a certificate Terraform did not send
        assert tls_connect(b"", None) == b""  # no client certificate at all

        creds = grpc.ssl_channel_credentials(root_certificates=server_pem, private_key=key_pem,
                                             certificate_chain=cert_pem)
        with grpc.secure_channel(addr, creds, options=[("grpc.ssl_target_name_override", "localhost")]) as ch:
            resp = tfplugin6_pb2_grpc.ProviderStub(ch).GetProviderSchema(tfplugin6_pb2.GetProviderSchema.Request(),
                                                                          timeout=10)
            assert "aws_s3_bucket" in resp.resource_schemas
            assert resp.server_capabilities.get_provider_schema_optional
            controller_pb2_grpc.GRPCControllerStub(ch).Shutdown(controller_pb2.Empty(), timeout=10)
        assert proc.wait(timeout=5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
