"""The generated gRPC stubs, taken from PyPI packages rather than vendored .proto files.

* ``tfplugin6_pb2`` / ``tfplugin6_pb2_grpc``: Terraform's plugin protocol v6, generated
  from HashiCorp's ``tfplugin6.proto``; shipped by ``pyvider``
  (``pyvider.protocols.tfprotov6.protobuf``).
* ``grpc_controller`` / ``grpc_stdio`` / ``grpc_broker``: go-plugin's own services
  (package ``plugin``); shipped by ``pyvider-rpcplugin`` (``pyvider.rpcplugin.protocol``).
* ``health_pb2`` / ``health_pb2_grpc``: the standard gRPC health service that go-plugin
  pings (service name ``plugin``); shipped by ``grpcio-health-checking``.

Only the generated modules are used, not the pyvider framework. Importing them the
ordinary way runs the package ``__init__`` files first, which pull in pyvider's runtime
(provide-foundation, structlog, ...: about 0.2-0.3 s per import). Terraform starts the
provider process several times per command, so the package folders are registered as
bare namespace packages instead and only the generated files are executed. If that ever
fails (a changed layout), the ordinary import is the fallback.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from pathlib import Path

_BARE = ("pyvider", "pyvider.protocols", "pyvider.protocols.tfprotov6",
         "pyvider.protocols.tfprotov6.protobuf", "pyvider.rpcplugin", "pyvider.rpcplugin.protocol")


def _register_bare_packages() -> None:
    spec = importlib.util.find_spec("pyvider")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("pyvider is not installed (pip install -e '.[test]')")
    # pyvider is a pkgutil namespace: pyvider and pyvider-rpcplugin share the folder name
    roots = [Path(p) for p in spec.submodule_search_locations]
    for name in _BARE:
        if name in sys.modules:
            continue
        rel = name.split(".")[1:]
        paths = [str(r.joinpath(*rel)) for r in roots if r.joinpath(*rel).is_dir()]
        if not paths:
            raise ImportError(f"{name} not found under {roots}")
        mod = types.ModuleType(name)
        mod.__path__ = paths  # type: ignore[attr-defined]
        mod.__package__ = name
        sys.modules[name] = mod


def _load():
    names = ("pyvider.protocols.tfprotov6.protobuf.tfplugin6_pb2",
             "pyvider.protocols.tfprotov6.protobuf.tfplugin6_pb2_grpc",
             "pyvider.rpcplugin.protocol.grpc_controller_pb2",
             "pyvider.rpcplugin.protocol.grpc_controller_pb2_grpc",
             "pyvider.rpcplugin.protocol.grpc_stdio_pb2",
             "pyvider.rpcplugin.protocol.grpc_stdio_pb2_grpc",
             "pyvider.rpcplugin.protocol.grpc_broker_pb2",
             "pyvider.rpcplugin.protocol.grpc_broker_pb2_grpc")
    try:
        _register_bare_packages()
        return [importlib.import_module(n) for n in names]
    except ImportError:
        for n in _BARE:  # undo the shortcut and import through the real packages
            mod = sys.modules.get(n)
            if mod is not None and getattr(mod, "__file__", None) is None:
                del sys.modules[n]
        return [importlib.import_module(n) for n in names]


(tfplugin6_pb2, tfplugin6_pb2_grpc, controller_pb2, controller_pb2_grpc,
 stdio_pb2, stdio_pb2_grpc, broker_pb2, broker_pb2_grpc) = _load()

from grpc_health.v1 import health_pb2, health_pb2_grpc  # noqa: E402

__all__ = ["tfplugin6_pb2", "tfplugin6_pb2_grpc", "controller_pb2", "controller_pb2_grpc",
           "stdio_pb2", "stdio_pb2_grpc", "broker_pb2", "broker_pb2_grpc", "health_pb2", "health_pb2_grpc"]
