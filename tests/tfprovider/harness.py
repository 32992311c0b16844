"""Install the test provider where ``terraform init`` finds it offline, and run Terraform.

Layout under one session directory (a pytest ``tmp_path_factory`` folder)::

    cli.tfrc              TF_CLI_CONFIG_FILE: the filesystem mirror only, no registry
    plugin-cache/         TF_PLUGIN_CACHE_DIR
    schema/<type>/        schema.pb + schema.min.json per provider (schema.build_cache)
    mirror/registry.terraform.io/hashicorp/<type>/<version>/linux_amd64/
        terraform-provider-<type>_v<version>   a shell wrapper: exec python -m tfprovider
    prime/<n>/            one bare ``init`` per set of pinned providers: the lock files

One wrapper is installed for every provider and version the stacks pin
(``terraform.required_providers``): Terraform only accepts the exact pinned version.
Each provider's schema is the ``compiler/schemas/providers/*.json`` file that holds its
address (``hashicorp/aws`` falls back to the hand-written :mod:`tfprovider.fixture`).

Stacks are copied to their own folders with ``override.tf.json`` switching the S3
backend to ``local`` (an override file's backend block replaces the original's), so a
single ``terraform init`` serves both ``validate`` and ``plan`` and nothing reaches AWS.
Each copy keeps its own ``.terraform`` (Terraform's data dir) in the session folder.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import fixture, schema

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT = PACKAGE_DIR.parent.parent
SCHEMA_DIR = ROOT / "compiler" / "schemas" / "providers"
REAL_SCHEMA = SCHEMA_DIR / "aws.json"
AWS = "registry.terraform.io/hashicorp/aws"
PROVIDER_SOURCE = AWS
BACKEND_OVERRIDE = {"terraform": {"backend": {"local": {}}}}


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def target_platform() -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)
    return f"{platform.system().lower()}_{arch}"


def _load(stack: dict | Path) -> dict:
    return json.loads(stack.read_text()) if isinstance(stack, Path) else stack


def full_address(source: str) -> str:
    """``hashicorp/aws`` -> ``registry.terraform.io/hashicorp/aws``."""
    parts = source.lower().split("/")
    if len(parts) == 2:
        parts = ["registry.terraform.io", *parts]
    if len(parts) == 1:
        parts = ["registry.terraform.io", "hashicorp", *parts]
    return "/".join(parts)


def required_providers(stack: dict | Path) -> dict[str, str]:
    """``{provider address: pinned version}`` from ``terraform.required_providers``."""
    req = _load(stack).get("terraform", {}).get("required_providers", {})
    out = {}
    for local_name, spec in req.items():
        if isinstance(spec, str):  # legacy form: a bare version constraint
            spec = {"version": spec}
        out[full_address(spec.get("source", local_name))] = spec.get("version", "")
    return out


def pinned_version(stack: dict | Path, address: str = AWS) -> str:
    """The exact version a stack pins for *address* (``hashicorp/aws`` by default)."""
    return required_providers(stack)[address]


def schema_source(session_dir: Path, address: str = AWS) -> tuple[Path, str]:
    """The ``providers schema -json`` file for *address*: the
    ``compiler/schemas/providers/*.json`` holding it, else (``hashicorp/aws`` only) the
    hand-written fixture.

    ``TFPROVIDER_SCHEMA`` overrides it for ``hashicorp/aws``: a path, or ``fixture``.
    """
    override = os.environ.get("TFPROVIDER_SCHEMA") if address == AWS else None
    if override == "fixture":
        return fixture.write(session_dir / "aws-fixture.json"), "tests/tfprovider/fixture.py"
    if override:
        return Path(override), override
    candidates = sorted(SCHEMA_DIR.glob("*.json"))
    preferred = SCHEMA_DIR / f"{address.rsplit('/', 1)[-1]}.json"
    if preferred in candidates:  # aws.json for hashicorp/aws: look there first
        candidates.remove(preferred)
        candidates.insert(0, preferred)
    for path in candidates:
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and address in doc.get("provider_schemas", {}):
            return path, _label(path)
    if address == AWS:
        return fixture.write(session_dir / "aws-fixture.json"), "tests/tfprovider/fixture.py"
    raise FileNotFoundError(f"no schema for {address} in {_label(SCHEMA_DIR)}/*.json")


def _label(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


@dataclass
class Installation:
    base: Path
    providers: dict[str, list[str]]  # address -> versions installed
    schemas: dict[str, str]  # address -> where its schema came from
    env: dict[str, str] = field(default_factory=dict)
    log: Path | None = None
    locks: dict[tuple, str] = field(default_factory=dict)  # requirement set -> .terraform.lock.hcl

    @property
    def schema_label(self) -> str:
        return ", ".join(f"{a.split('/', 1)[1]}: {s}" for a, s in sorted(self.schemas.items()))


def install(base: Path, providers: dict[str, list[str]], python: str = sys.executable,
            log_rpcs: bool = True) -> Installation:
    """The schema caches, the mirror with a provider wrapper per address and version,
    and the CLI config. *providers*: ``{address: [versions]}``."""
    base.mkdir(parents=True, exist_ok=True)
    labels = {}
    for address, versions in sorted(providers.items()):
        ptype = address.rsplit("/", 1)[-1]
        schema_json, labels[address] = schema_source(base, address)
        cache = schema.build_cache(schema_json, base / "schema" / ptype, address)
        for version in sorted(set(versions)):
            pkg = base / "mirror" / address / version / target_platform()
            pkg.mkdir(parents=True, exist_ok=True)
            exe = pkg / f"terraform-provider-{ptype}_v{version}"
            exe.write_text(
                "#!/bin/sh\n"
                "# test-only provider: serves a provider schema over plugin protocol v6 (tests/tfprovider)\n"
                f"PYTHONPATH={_sh(str(PACKAGE_DIR.parent))}${{PYTHONPATH:+:$PYTHONPATH}}\n"
                "export PYTHONPATH\n"
                f"exec {_sh(python)} -m tfprovider --cache {_sh(str(cache))}\n"
            )
            exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)

    include = sorted({a.rsplit("/", 1)[0] + "/*" for a in providers})
    cli = base / "cli.tfrc"
    cli.write_text(
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(base / 'mirror'))}\n"
        f"    include = {json.dumps(include)}\n"
        "  }\n"
        "  direct {\n"
        '    exclude = ["registry.terraform.io/*/*"]\n'
        "  }\n"
        "}\n"
    )
    (base / "plugin-cache").mkdir(exist_ok=True)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "CHECKPOINT_"))}
    env.update({
        "TF_CLI_CONFIG_FILE": str(cli),
        "TF_PLUGIN_CACHE_DIR": str(base / "plugin-cache"),
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "CHECKPOINT_DISABLE": "1",
    })
    log = None
    if log_rpcs:
        log = base / "rpc.log"
        env["TFPROVIDER_LOG"] = str(log)
    return Installation(base, {a: sorted(set(v)) for a, v in providers.items()}, labels, env, log)


def _sh(s: str) -> str:
    return "'" + s.replace("'", "'\"'\"'") + "'"


def _requirement_key(stack: dict | Path) -> tuple:
    return tuple(sorted(required_providers(stack).items()))


def prime(inst: Installation, stacks: list[dict | Path]) -> dict[tuple, str]:
    """Run ``terraform init`` once per distinct set of pinned providers, in a bare
    configuration, and check that each provider serves its schema.

    That fills the plugin cache and yields the ``.terraform.lock.hcl`` that
    :func:`copy_stack` puts beside each stack. With a lock file ``init`` only links the
    cached package; without one, Terraform (>= 1.4) re-installs into the shared cache
    on every ``init``, and two concurrent ``init`` runs then collide ("file exists").
    """
    for n, key in enumerate(sorted({_requirement_key(s) for s in stacks})):
        d = inst.base / "prime" / str(n)
        d.mkdir(parents=True, exist_ok=True)
        req = {a.rsplit("/", 1)[-1]: {"source": a.split("/", 1)[1], "version": v} for a, v in key}
        (d / "main.tf.json").write_text(json.dumps({"terraform": {"required_providers": req}}))
        r = init(inst, d)
        if r.returncode != 0:
            raise RuntimeError(f"terraform init with the test provider(s) {key} failed:\n{r.output}")
        r = terraform(inst, d, "providers", "schema", "-json")
        missing = [a for a, _ in key if f'"{a}"' not in r.stdout]
        if r.returncode != 0 or missing:
            raise RuntimeError(f"the test provider serves no schema for {missing}:\n{r.output}")
        inst.locks[key] = (d / ".terraform.lock.hcl").read_text()
    return inst.locks


def copy_stack(stack: Path | dict, dest: Path, inst: Installation | None = None) -> Path:
    """A stack in its own folder with the local-backend override (and the lock file
    :func:`prime` made for its pinned providers). A stack given as its ``cdk.tf.json``
    brings the ``documents/`` it reads with ``file()`` (mlops.documents)."""
    dest.mkdir(parents=True, exist_ok=True)
    data = _load(stack)
    (dest / "cdk.tf.json").write_text(json.dumps(data, indent=2))
    if isinstance(stack, Path) and (stack.parent / "documents").is_dir():
        shutil.copytree(stack.parent / "documents", dest / "documents", dirs_exist_ok=True)
    (dest / "override.tf.json").write_text(json.dumps(BACKEND_OVERRIDE, indent=2))
    if inst is not None:
        lock = inst.locks.get(_requirement_key(data))
        if lock:
            (dest / ".terraform.lock.hcl").write_text(lock)
    return dest


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def terraform(inst: Installation, cwd: Path, *args: str, timeout: float = 300) -> Run:
    cmd = [terraform_binary() or "terraform", *args]
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, env=inst.env, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return Run(list(args), p.returncode, p.stdout, p.stderr, time.monotonic() - t0)


def init(inst: Installation, cwd: Path) -> Run:
    return terraform(inst, cwd, "init", "-input=false", "-no-color")


def validate(inst: Installation, cwd: Path) -> tuple[Run, dict]:
    r = terraform(inst, cwd, "validate", "-json", "-no-color")
    try:
        doc = json.loads(r.stdout)
    except json.JSONDecodeError:
        doc = {"valid": False, "diagnostics": [{"severity": "error", "summary": "unparseable validate output",
                                                "detail": r.output}]}
    return r, doc


def plan(inst: Installation, cwd: Path) -> tuple[Run, Run | None, dict | None]:
    """``plan -out`` then ``show -json`` of the saved plan."""
    r = terraform(inst, cwd, "plan", "-input=false", "-lock=false", "-refresh=false", "-no-color", "-out=tfplan")
    if r.returncode != 0:
        return r, None, None
    s = terraform(inst, cwd, "show", "-json", "-no-color", "tfplan")
    return r, s, (json.loads(s.stdout) if s.returncode == 0 else None)


def diagnostics(doc: dict, severity: str = "error") -> list[str]:
    """Each diagnostic of *severity* in a ``validate -json`` document, one line each:
    ``file:line (resource context) summary: detail [at highlighted source]``."""
    out = []
    for d in doc.get("diagnostics", []):
        if d.get("severity") != severity:
            continue
        rng, snip = d.get("range") or {}, d.get("snippet") or {}
        where = f"{rng.get('filename', '?')}:{rng.get('start', {}).get('line', '?')}" if rng else ""
        if snip.get("context"):
            where += f" ({snip['context']})"
        at = ""
        code, a, b = snip.get("code", ""), snip.get("highlight_start_offset"), snip.get("highlight_end_offset")
        if code and a is not None and b is not None and b > a:
            # byte offsets into the source line; inside a JSON string template they are
            # only approximate (escapes shift them), so show the neighbourhood
            raw = code.encode()
            at = f" [near: ...{raw[max(0, a - 40):b + 40].decode(errors='replace').strip()}...]"
        out.append(f"{where + ': ' if where else ''}{d.get('summary', '')}: {d.get('detail', '')}{at}".strip())
    return out


def stack_addresses(stack: dict) -> tuple[set[str], set[str]]:
    """(managed resource ``type.name``, data source ``data.type.name``) a stack declares."""
    managed = {f"{t}.{n}" for t, insts in stack.get("resource", {}).items() for n in insts}
    data = {f"data.{t}.{n}" for t, insts in stack.get("data", {}).items() for n in insts}
    return managed, data
