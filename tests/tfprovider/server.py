"""A test-only Terraform provider: serves a provider schema over plugin protocol v6.

Terraform starts it (through the wrapper that :mod:`tfprovider.harness` installs) with the
go-plugin environment and talks gRPC to it. It knows nothing about AWS beyond the schema:

* validation RPCs answer with no diagnostics: Terraform itself checks configuration
  against the schema (unknown attributes, missing required ones, block shapes, types);
* ``PlanResourceChange`` plans the proposed new state with every computed attribute
  that is still null marked unknown (what a real provider does on create); with
  ``TFPROVIDER_PLAN_KNOWN`` set, filled instead by placeholders that name the resource
  (a digest of its configuration), so every expression that reads them, a templated
  document say, is known in the plan and can be compared value for value;
* ``ReadDataSource`` returns the configuration with computed nulls filled by
  deterministic placeholders of the right type, so data sources are fully known;
* ``ApplyResourceChange`` returns the planned state with each unknown filled by its
  placeholder (a local state to plan the next version of a stack against);
* ``ReadResource`` returns the current state and ``UpgradeResourceState`` passes the
  stored JSON through; imports refuse with an error.

go-plugin handshake (github.com/hashicorp/go-plugin, as Terraform uses it):

1. The magic cookie ``TF_PLUGIN_MAGIC_COOKIE`` must be set (a binary run by hand exits).
2. ``PLUGIN_PROTOCOL_VERSIONS`` lists the versions Terraform speaks; we need ``6``.
3. ``PLUGIN_CLIENT_CERT`` (AutoMTLS) is the PEM of Terraform's client certificate. The
   server generates a self-signed certificate for ``localhost`` (Terraform verifies the
   server name ``localhost`` against exactly that certificate), requires and verifies
   the client certificate against ``PLUGIN_CLIENT_CERT``, and prints its own
   certificate, DER, base64 without padding, as the last field of the handshake line::

       1|6|tcp|127.0.0.1:PORT|grpc|MIIB...

   TLS is terminated by :class:`TLSFront` (Python's ``ssl``), not by gRPC: see there.
   Port from ``PLUGIN_MIN_PORT``..``PLUGIN_MAX_PORT`` when given; loopback only.
4. Besides ``tfplugin6.Provider`` the server offers go-plugin's ``plugin.GRPCController``
   (``Shutdown``: Terraform's graceful kill; we exit at once rather than make Terraform
   wait its 2 s before a hard kill), ``plugin.GRPCStdio`` and ``plugin.GRPCBroker``
   (streams that stay open and idle) and the gRPC health service (``plugin``: SERVING).

Set ``TFPROVIDER_LOG=/path`` to append one line per RPC (pid, method, type name).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import cty
from .schema import CACHE_PB, Schemas
from .stubs import (broker_pb2_grpc, controller_pb2, controller_pb2_grpc, health_pb2, health_pb2_grpc,
                    stdio_pb2_grpc, tfplugin6_pb2 as pb, tfplugin6_pb2_grpc as pb_grpc)

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 6

POLICY_PLACEHOLDER = '{"Version":"2012-10-17","Statement":[]}'


# ---------------------------------------------------------------------------- logging
_LOG_PATH = os.environ.get("TFPROVIDER_LOG")
_LOG_LOCK = threading.Lock()


def _log(method: str, detail: str = "") -> None:
    if not _LOG_PATH:
        return
    with _LOG_LOCK, open(_LOG_PATH, "a") as fh:
        fh.write(f"{time.time():.3f} {os.getpid()} {method} {detail}".rstrip() + "\n")


def _error(summary: str, detail: str = ""):
    return pb.Diagnostic(severity=pb.Diagnostic.ERROR, summary=summary, detail=detail)


# ---------------------------------------------------------------------------- plan logic
def _walk_block(block: dict, value: Any, on_attr) -> Any:
    """Rebuild an object value of *block*, letting ``on_attr(attr_schema, name, v)`` replace
    each attribute (nested attribute objects and nested blocks are walked too)."""
    if value is None or value is cty.UNKNOWN:
        return value
    out = dict(value)
    for name, a in block.get("attributes", {}).items():
        v = on_attr(a, name, out.get(name))
        if "nested_type" in a and v is not None and v is not cty.UNKNOWN:
            nt = a["nested_type"]
            inner = {"attributes": nt.get("attributes", {})}
            v = _each(nt.get("nesting_mode", "single"), v, lambda x, b=inner: _walk_block(b, x, on_attr))
        out[name] = v
    for name, nb in block.get("block_types", {}).items():
        v = out.get(name)
        if v is None or v is cty.UNKNOWN:
            continue
        if isinstance(v, cty.Dyn):  # list/map of blocks with dynamic attributes
            v = cty.Dyn(v.type, _each("list" if isinstance(v.value, list) else "map", v.value,
                                      lambda x, b=nb["block"]: _walk_block(b, x, on_attr)))
        else:
            v = _each(nb["nesting_mode"], v, lambda x, b=nb["block"]: _walk_block(b, x, on_attr))
        out[name] = v
    return out


def _each(mode: str, v: Any, fn) -> Any:
    if mode in ("single", "group"):
        return fn(v)
    if mode in ("list", "set"):
        return [fn(x) for x in v]
    if mode == "map":
        return {k: fn(x) for k, x in v.items()}
    raise ValueError(mode)


def plan_new_state(block: dict, proposed: Any, known_as: str | None = None) -> Any:
    """The proposed new state with each computed attribute that is null marked unknown,
    or, given *known_as* (the name placeholders carry), filled by a placeholder. What
    the configuration sets, unknown or not, is planned as it is: Terraform insists."""

    def mark(a: dict, name: str, v: Any) -> Any:
        if not (a.get("computed") and v is None):
            return v
        return cty.UNKNOWN if known_as is None else placeholder(cty.attribute_type(a), name, known_as)

    return _walk_block(block, proposed, mark)


def placeholder(ty: Any, name: str, type_name: str) -> Any:
    """A deterministic, fully known value of type *ty* for a computed attribute."""
    if ty == "string":
        if name in ("json", "minified_json") or name.endswith(("_json", "policy")):
            return POLICY_PLACEHOLDER
        if name == "arn" or name.endswith("_arn"):
            return f"arn:aws:placeholder:eu-west-1:000000000000:{type_name}/{name}"
        return f"{type_name}-{name}-placeholder"
    if ty == "number":
        return 0
    if ty == "bool":
        return False
    if ty == "dynamic":
        return None
    kind = ty[0]
    if kind in ("list", "set"):
        return []
    if kind == "map":
        return {}
    if kind == "object":
        return {k: placeholder(t, k, type_name) for k, t in ty[1].items()}
    if kind == "tuple":
        return [placeholder(t, name, type_name) for t in ty[1]]
    raise ValueError(f"unknown cty type {ty!r}")


def known_data_state(block: dict, config: Any, type_name: str) -> Any:
    """A data source's state: config plus placeholders for computed nulls, no unknowns."""

    def fill(a: dict, name: str, v: Any) -> Any:
        ty = cty.attribute_type(a)
        if v is cty.UNKNOWN or (v is None and a.get("computed")):
            return placeholder(ty, name, type_name)
        return v

    return _walk_block(block, config, fill)


# ---------------------------------------------------------------------------- the provider
class Provider(pb_grpc.ProviderServicer):
    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self._schemas: Schemas | None = None
        self._schema_response: Any = None
        self._lock = threading.Lock()

    # -- schema, loaded lazily: validate-only processes never parse the JSON
    @property
    def schemas(self) -> Schemas:
        with self._lock:
            if self._schemas is None:
                self._schemas = Schemas.from_cache(self.cache_dir)
            return self._schemas

    def _schema_pb(self):
        with self._lock:
            if self._schema_response is None:
                data = (self.cache_dir / CACHE_PB).read_bytes()
                self._schema_response = pb.GetProviderSchema.Response.FromString(data)
            return self._schema_response

    # -- metadata and schema
    def GetMetadata(self, request, context):
        _log("GetMetadata")
        s = self._schema_pb()
        return pb.GetMetadata.Response(
            server_capabilities=s.server_capabilities,
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in s.resource_schemas],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in s.data_source_schemas],
            ephemeral_resources=[pb.GetMetadata.EphemeralMetadata(type_name=n)
                                 for n in s.ephemeral_resource_schemas],
            functions=[pb.GetMetadata.FunctionMetadata(name=n) for n in s.functions],
        )

    def GetProviderSchema(self, request, context):
        _log("GetProviderSchema")
        return self._schema_pb()

    def GetResourceIdentitySchemas(self, request, context):
        _log("GetResourceIdentitySchemas")
        return pb.GetResourceIdentitySchemas.Response()

    def GetFunctions(self, request, context):
        _log("GetFunctions")
        resp = pb.GetFunctions.Response()
        for name, fn in self._schema_pb().functions.items():
            resp.functions[name].CopyFrom(fn)
        return resp

    # -- validation: Terraform has already checked the config against the schema
    def ValidateProviderConfig(self, request, context):
        _log("ValidateProviderConfig")
        return pb.ValidateProviderConfig.Response()

    def ValidateResourceConfig(self, request, context):
        _log("ValidateResourceConfig", request.type_name)
        return pb.ValidateResourceConfig.Response()

    def ValidateDataResourceConfig(self, request, context):
        _log("ValidateDataResourceConfig", request.type_name)
        return pb.ValidateDataResourceConfig.Response()

    def ValidateEphemeralResourceConfig(self, request, context):
        _log("ValidateEphemeralResourceConfig", request.type_name)
        return pb.ValidateEphemeralResourceConfig.Response()

    def ConfigureProvider(self, request, context):
        _log("ConfigureProvider")
        return pb.ConfigureProvider.Response()

    # -- resources
    def UpgradeResourceState(self, request, context):
        _log("UpgradeResourceState", request.type_name)
        return pb.UpgradeResourceState.Response(upgraded_state=pb.DynamicValue(json=request.raw_state.json))

    def ReadResource(self, request, context):
        _log("ReadResource", request.type_name)
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request, context):
        _log("PlanResourceChange", request.type_name)
        try:
            rs = self.schemas.resources[request.type_name]
            ty = self.schemas.resource_type(request.type_name)
            proposed = _decode(request.proposed_new_state, ty)
            known_as = None
            if os.environ.get("TFPROVIDER_PLAN_KNOWN"):
                raw = request.proposed_new_state.msgpack or request.proposed_new_state.json
                known_as = f"{request.type_name}-{hashlib.sha256(raw).hexdigest()[:12]}"
            planned = plan_new_state(rs["block"], proposed, known_as)
            return pb.PlanResourceChange.Response(planned_state=pb.DynamicValue(msgpack=cty.pack(planned, ty)),
                                                  planned_private=request.prior_private)
        except Exception as exc:  # a diagnostic beats a gRPC error: Terraform shows it
            return pb.PlanResourceChange.Response(diagnostics=[_error(
                f"test provider: cannot plan {request.type_name}", f"{type(exc).__name__}: {exc}")])

    def ApplyResourceChange(self, request, context):
        """Apply to a local state only: the planned state, each unknown value replaced by
        its deterministic placeholder (a destroy returns null). Enough for a test to
        create a prior state and plan the next version of a stack against it."""
        _log("ApplyResourceChange", request.type_name)
        try:
            rs = self.schemas.resources[request.type_name]
            ty = self.schemas.resource_type(request.type_name)
            planned = _decode(request.planned_state, ty)
            state = None if planned is None else known_data_state(rs["block"], planned, request.type_name)
            return pb.ApplyResourceChange.Response(new_state=pb.DynamicValue(msgpack=cty.pack(state, ty)),
                                                   private=request.planned_private)
        except Exception as exc:
            return pb.ApplyResourceChange.Response(diagnostics=[_error(
                f"test provider: cannot apply {request.type_name}", f"{type(exc).__name__}: {exc}")])

    def ImportResourceState(self, request, context):
        _log("ImportResourceState", request.type_name)
        return pb.ImportResourceState.Response(diagnostics=[_error("test provider cannot import")])

    # -- data sources
    def ReadDataSource(self, request, context):
        _log("ReadDataSource", request.type_name)
        try:
            ds = self.schemas.data_sources[request.type_name]
            ty = self.schemas.data_source_type(request.type_name)
            config = _decode(request.config, ty)
            state = known_data_state(ds["block"], config, request.type_name)
            return pb.ReadDataSource.Response(state=pb.DynamicValue(msgpack=cty.pack(state, ty)))
        except Exception as exc:
            return pb.ReadDataSource.Response(diagnostics=[_error(
                f"test provider: cannot read {request.type_name}", f"{type(exc).__name__}: {exc}")])

    # -- functions and ephemeral resources: declared only if the schema has them
    def CallFunction(self, request, context):
        _log("CallFunction", request.name)
        return pb.CallFunction.Response(error=pb.FunctionError(text="test provider cannot call functions"))

    def OpenEphemeralResource(self, request, context):
        _log("OpenEphemeralResource", request.type_name)
        return pb.OpenEphemeralResource.Response(diagnostics=[_error("test provider cannot open ephemeral resources")])

    def RenewEphemeralResource(self, request, context):
        return pb.RenewEphemeralResource.Response()

    def CloseEphemeralResource(self, request, context):
        return pb.CloseEphemeralResource.Response()

    def StopProvider(self, request, context):
        _log("StopProvider")
        return pb.StopProvider.Response()


def _decode(dv, ty: Any) -> Any:
    if dv.msgpack:
        return cty.unpack(dv.msgpack, ty)
    if dv.json:
        return cty.from_json(json.loads(dv.json), ty)
    return None


# ---------------------------------------------------------------------------- go-plugin services
class Controller(controller_pb2_grpc.GRPCControllerServicer):
    def __init__(self, stop) -> None:
        self._stop = stop

    def Shutdown(self, request, context):
        _log("GRPCController.Shutdown")
        threading.Thread(target=self._stop, daemon=True).start()
        return controller_pb2.Empty()


class Stdio(stdio_pb2_grpc.GRPCStdioServicer):
    def StreamStdio(self, request, context):
        # We write nothing worth forwarding: keep the stream open until Terraform leaves.
        done = threading.Event()
        context.add_callback(done.set)
        done.wait()
        return
        yield  # a generator: a server stream with no messages


class Broker(broker_pb2_grpc.GRPCBrokerServicer):
    def StartStream(self, request_iterator, context):
        for _ in request_iterator:  # no sub-plugins to broker: drain until Terraform closes
            pass
        return
        yield


class Health(health_pb2_grpc.HealthServicer):
    def Check(self, request, context):
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


# ---------------------------------------------------------------------------- TLS and serving
def server_certificate() -> tuple[bytes, bytes, bytes]:
    """A self-signed certificate for ``localhost``, as go-plugin's own ``generateCert``
    makes it: (key PEM, cert PEM, cert DER)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(seconds=30)).not_valid_after(now + dt.timedelta(hours=24))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, key_cert_sign=True,
                                     content_commitment=False, data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM), cert.public_bytes(serialization.Encoding.DER)


def _tls_context(key_pem: bytes, cert_pem: bytes, client_cert_pem: str) -> ssl.SSLContext:
    """Server side of go-plugin's AutoMTLS: our own certificate, Terraform's required."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    with tempfile.TemporaryDirectory() as d:  # load_cert_chain reads files only
        Path(d, "c.pem").write_bytes(cert_pem)
        Path(d, "k.pem").write_bytes(key_pem)
        ctx.load_cert_chain(Path(d, "c.pem"), Path(d, "k.pem"))
    ctx.load_verify_locations(cadata=client_cert_pem)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.set_alpn_protocols(["h2"])  # grpc-go refuses a TLS peer that selects no ALPN protocol
    return ctx


def _listen(host: str = "127.0.0.1") -> socket.socket:
    """A listening socket, in PLUGIN_MIN_PORT..PLUGIN_MAX_PORT when Terraform gives a range."""
    lo, hi = os.environ.get("PLUGIN_MIN_PORT"), os.environ.get("PLUGIN_MAX_PORT")
    ports = [0]
    if lo and hi and int(lo) <= int(hi):
        ports = list(range(int(lo), int(hi) + 1))
        random.shuffle(ports)
    for port in ports[:200] + [0]:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind((host, port))
        except OSError:
            sock.close()
            continue
        sock.listen(16)
        return sock
    raise OSError("no free port")


class TLSFront:
    """Terminates TLS on 127.0.0.1 and relays the plain HTTP/2 bytes to the gRPC server's
    private Unix socket.

    Why not ``grpc.ssl_server_credentials``: go-plugin's AutoMTLS client certificate is
    ECDSA P-521, and BoringSSL (gRPC's TLS) does not offer ``ecdsa_secp521r1_sha512`` in
    its CertificateRequest, so Go's TLS client sends no certificate at all and the
    handshake fails with PEER_DID_NOT_RETURN_A_CERTIFICATE. Python's ``ssl`` (OpenSSL)
    accepts P-521, so the client certificate is required and verified here instead.
    One asyncio loop in one thread: no SSL object is shared between threads.
    """

    def __init__(self, ctx: ssl.SSLContext, backend: str) -> None:
        self.ctx = ctx
        self.backend = backend
        self.loop = asyncio.new_event_loop()
        self.sock = _listen()
        self.port = self.sock.getsockname()[1]

    def start(self) -> None:
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(asyncio.start_server(self._relay, sock=self.sock, ssl=self.ctx))
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            b_reader, b_writer = await asyncio.open_unix_connection(self.backend)
        except OSError:
            writer.close()
            return

        async def pump(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            try:
                while data := await r.read(1 << 16):
                    w.write(data)
                    await w.drain()
            except (OSError, ssl.SSLError, asyncio.IncompleteReadError):
                pass
            finally:
                for x in (writer, b_writer):
                    x.close()

        await asyncio.gather(pump(reader, b_writer), pump(b_reader, writer), return_exceptions=True)


def serve(cache_dir: Path) -> None:
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        sys.stderr.write("This binary is a plugin. These are not meant to be executed directly.\n"
                         "Please execute the program that consumes these plugins, which will\n"
                         "load any plugins automatically\n")
        sys.exit(1)
    versions = [v.strip() for v in os.environ.get("PLUGIN_PROTOCOL_VERSIONS", "6").split(",") if v.strip()]
    if str(APP_PROTOCOL_VERSION) not in versions:
        sys.stderr.write(f"test provider speaks protocol {APP_PROTOCOL_VERSION} only; client offers {versions}\n")
        sys.exit(1)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32),
                         options=[("grpc.max_receive_message_length", 256 << 20),
                                  ("grpc.max_send_message_length", 256 << 20)])
    stopped = threading.Event()

    def stop() -> None:
        time.sleep(0.05)  # let the Shutdown response leave first
        stopped.set()

    pb_grpc.add_ProviderServicer_to_server(Provider(cache_dir), server)
    controller_pb2_grpc.add_GRPCControllerServicer_to_server(Controller(stop), server)
    stdio_pb2_grpc.add_GRPCStdioServicer_to_server(Stdio(), server)
    broker_pb2_grpc.add_GRPCBrokerServicer_to_server(Broker(), server)
    health_pb2_grpc.add_HealthServicer_to_server(Health(), server)

    client_cert = os.environ.get("PLUGIN_CLIENT_CERT")
    private_dir = None
    if client_cert:
        key_pem, cert_pem, cert_der = server_certificate()
        # 0700: only we reach the plain socket. Beside the schema cache (the test session's
        # folder, cleaned with it even if Terraform kills us) unless that path is too long
        # for a Unix socket (108 bytes).
        parent = cache_dir.resolve().parent
        private_dir = tempfile.mkdtemp(prefix="sock-", dir=parent if len(str(parent)) < 80 else None)
        backend = os.path.join(private_dir, "grpc.sock")
        server.add_insecure_port(f"unix:{backend}")
        server.start()
        front = TLSFront(_tls_context(key_pem, cert_pem, client_cert), backend)
        front.start()
        port = front.port
        cert_field = "|" + base64.b64encode(cert_der).decode().rstrip("=")
    else:  # AutoMTLS off (TF_DISABLE_PLUGIN_TLS): plain gRPC on loopback
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        cert_field = ""
    _log("serve", f"port={port} versions={','.join(versions)} mtls={bool(client_cert)}")

    sys.stdout.write(f"{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|tcp|127.0.0.1:{port}|grpc{cert_field}\n")
    sys.stdout.flush()

    # Terraform ends us with GRPCController.Shutdown, or kills us. Should Terraform die
    # first, we are reparented: leave then too rather than linger.
    parent = os.getppid()

    def watch_parent() -> None:
        while not stopped.wait(1.0):
            if os.getppid() != parent:
                stopped.set()

    threading.Thread(target=watch_parent, daemon=True).start()
    stopped.wait()
    server.stop(grace=None)
    if private_dir:
        shutil.rmtree(private_dir, ignore_errors=True)
    _log("exit")
    os._exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tfprovider", description=__doc__.splitlines()[0])
    parser.add_argument("--cache", required=True, type=Path,
                        help="directory made by tfprovider.schema.build_cache (schema.pb, schema.min.json)")
    args = parser.parse_args(argv)
    serve(args.cache)
