"""What reading one resource's source finds: its arguments and which of them replace it.

Vocabulary:
- an argument path names an argument the configuration sets, nested blocks and nested
  attributes joined with dots (`primary_container.image`);
- forces new: changing the argument always destroys and recreates the resource
  (SDKv2 `ForceNew: true`; framework `RequiresReplace()`, `RequiresReplaceIfConfigured()`);
- conditional: the resource's code replaces it on a change of this argument only under a
  condition it computes (SDKv2 `customdiff.ForceNewIf...`, `d.ForceNew(...)` in
  CustomizeDiff; framework `RequiresReplaceIf...`);
- unresolved: a schema piece the reader could not follow (a call or name it cannot see);
  listed so that a reviewer knows where the table may be incomplete.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Found:
    file: str
    arguments: set[str] = field(default_factory=set)
    force_new: set[str] = field(default_factory=set)
    conditional: set[str] = field(default_factory=set)
    unresolved: set[str] = field(default_factory=set)


def plain_path(path: str) -> str:
    """A path as the table writes it: SDK list indexes dropped (`a.0.b` -> `a.b`)."""
    return re.sub(r"\.\d+(?=\.|$)", "", path)
