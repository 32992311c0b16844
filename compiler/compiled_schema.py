"""The schema check on the happy path: the schema compiled to Python, cached on disk.

jsonschema says *what* is wrong and where, which validate.py turns into messages, but
importing it (with referencing, attrs and the format checkers) costs more than the
rest of `mlops validate` on a valid spec. Most specs are valid, so validate first asks
this module, which only answers "accepted" or "ask jsonschema": fastjsonschema turns
the schema into Python code once; the code object is kept in a cache directory under
the hash of the schema, so every later run loads it (marshal) instead of generating
and compiling it again. A plugin module changes the schema, hence the hash, so its
schema gets its own entry; nothing here knows which modules exist.

It must never accept what jsonschema rejects (a rejection costs only time: jsonschema
then decides and words every error). What makes the two differ is handled here:
- fastjsonschema reads `$` in a pattern as the very end of the string (`\\Z`), where
  jsonschema's `re.search` also lets it match before a final newline; they agree on
  every string that does not end in a newline, so data with such a string (a YAML
  block scalar) is not judged here;
- it takes a tuple for an array, jsonschema does not: only JSON's types are judged
  here (what the loader makes: dicts with string keys, lists, strings, numbers,
  booleans, None);
- it fills `default`s into the data and checks `format`s, which jsonschema (as
  validate.py runs it) does neither: both are turned off;
- a schema without `$schema` would be read as a later draft: it is read as draft-07,
  as validate.py's Draft7Validator reads every schema;
- a schema that refers outside itself, one with a fractional `multipleOf` (the two
  round differently), one it cannot compile, and data it raises on are left to jsonschema; a cache it cannot read or write costs a compile. Only what
  the schema itself makes fastjsonschema refuse is remembered; any other failure of a
  compile is tried again by the next run.

Cache: mlops.cache (where, and why only a private directory is read). The hash covers the schema (marshalled), how it is compiled (OPTIONS, FORMAT),
fastjsonschema's version and the Python that compiled the code; a file that does not
load is written again.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
from collections.abc import Callable
from typing import Any

from . import cache

DRAFT7 = "http://json-schema.org/draft-07/schema#"
# How the schema is compiled; part of the cache key, as is FORMAT: bump it when _compile
# changes what it makes of a schema, so that no entry made the old way is read.
OPTIONS = {"use_default": False, "use_formats": False, "detailed_exceptions": False}
FORMAT = 1
# Entries kept in the cache directory; older ones are removed when a new one is written.
KEEP = 64
# What a schema fastjsonschema cannot compile is cached as: always ask jsonschema.
_UNUSABLE = None

_validators: dict[str, Callable[[Any], Any] | None] = {}


def accepts(data: Any, schema: dict[str, Any]) -> bool:
    """True when the schema accepts `data`; False when it does not, or when this
    module cannot tell (then jsonschema decides)."""
    if not _judged(data):
        return False
    check = validator(schema)
    if check is None:
        return False
    try:
        check(data)
    except Exception:  # JsonSchemaValueException, or data the generated code trips on
        return False
    return True


def validator(schema: dict[str, Any]) -> Callable[[Any], Any] | None:
    """The compiled check of `schema` (raises on invalid data), or None if there is none."""
    try:
        import fastjsonschema

        # Version 2 writes neither references nor interning: equal schemas, equal bytes.
        value = marshal.dumps(schema, 2)
    except (ImportError, ValueError):  # not installed, or a schema that is not plain data
        return None
    how = f"{FORMAT}\0{OPTIONS}\0{fastjsonschema.VERSION}\0{sys.version}\0"
    key = hashlib.sha256(how.encode() + value).hexdigest()
    if key not in _validators:
        _validators[key] = _load(key, value)
    return _validators[key]


def _load(key: str, value: bytes) -> Callable[[Any], Any] | None:
    folder = cache.directory()
    path = folder / f"{key}.{sys.implementation.cache_tag}" if folder else None
    try:
        return _function(marshal.loads(cache.read(path)))
    except Exception:  # no entry yet, none to trust, or one that does not load: compile it again
        pass
    from fastjsonschema import JsonSchemaDefinitionException

    try:
        entry = _compile(marshal.loads(value), key)  # a copy: fastjsonschema rewrites every $ref
        check = _function(entry)
    except (JsonSchemaDefinitionException, re.error):  # it cannot express the schema: ask jsonschema every time
        entry, check = _UNUSABLE, None
    except Exception:  # anything else is no property of the schema: jsonschema decides this time
        return None
    if path is not None:
        cache.write(path, marshal.dumps(entry), f"*.{sys.implementation.cache_tag}", KEEP)
    return check


def _compile(schema: dict[str, Any], key: str) -> tuple[str, Any] | None:
    """(the name of the schema's function, the code that defines it), or _UNUSABLE for a
    schema that refers outside itself: fastjsonschema would fetch what jsonschema reads
    from its own registry of meta-schemas, and resolves a nested `$id` its own way."""
    import fastjsonschema

    if not _self_contained(schema, top=True) or _fractional_multiple(schema):
        return _UNUSABLE
    schema["$schema"] = DRAFT7  # as validate.py's Draft7Validator reads every schema
    name = fastjsonschema.RefResolver.from_schema(schema, store={}).get_scope_name()
    source = fastjsonschema.compile_to_code(schema, **OPTIONS)
    return name, compile(source, f"<schema {key[:12]}>", "exec")


def _self_contained(schema: Any, top: bool = False) -> bool:
    """Whether every `$ref` points inside the schema and only the top has an `$id`."""
    if isinstance(schema, list):
        return all(_self_contained(item) for item in schema)
    if not isinstance(schema, dict):
        return True
    if not top and "$id" in schema:
        return False
    ref = schema.get("$ref")
    if ref is not None and not (isinstance(ref, str) and ref.startswith("#")):
        return False
    return all(_self_contained(value) for value in schema.values())


def _fractional_multiple(schema: Any) -> bool:
    """Whether a `multipleOf` is not a whole number: fastjsonschema and jsonschema round
    differently there (0.3 is a multiple of 0.1 for one, not the other)."""
    if isinstance(schema, list):
        return any(_fractional_multiple(item) for item in schema)
    if not isinstance(schema, dict):
        return False
    step = schema.get("multipleOf")
    if isinstance(step, float) and not step.is_integer():
        return True
    return any(_fractional_multiple(value) for value in schema.values())


def _function(entry: Any) -> Callable[[Any], Any] | None:
    """The validation function of a cache entry (what _compile returned)."""
    if entry is _UNUSABLE:
        return None
    name, code = entry
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 -- code fastjsonschema generated from the schema
    return namespace[name]


def _judged(value: Any) -> bool:
    """Whether `value` is JSON data with no string ending in a newline (module docstring)."""
    kind = type(value)
    if kind is str:
        return not value.endswith("\n")
    if kind is dict:
        return all(type(k) is str and not k.endswith("\n") and _judged(v) for k, v in value.items())
    if kind is list:
        return all(_judged(item) for item in value)
    return kind in _SCALARS


_SCALARS = (int, float, bool, type(None))
