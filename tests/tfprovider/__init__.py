"""A test-only Terraform provider that serves a provider schema over plugin protocol v6.

``terraform init``, ``validate`` and ``plan`` run offline against our stacks with it:

* :mod:`tfprovider.server`  the provider (``python -m tfprovider --cache DIR``)
* :mod:`tfprovider.schema`  ``providers schema -json`` -> tfplugin6 ``Schema`` messages
* :mod:`tfprovider.cty`     cty types and msgpack values (null, unknown, dynamic)
* :mod:`tfprovider.stubs`   generated gRPC stubs from PyPI packages (pyvider, ...)
* :mod:`tfprovider.harness` installation (filesystem mirror, CLI config) and Terraform runs
* :mod:`tfprovider.fixture` a small hand-written AWS schema for when the real one is absent

Nothing is imported here, so that the provider process starts quickly.
"""
