"""Every stack we generate -- each golden case and generated/ -- passes the checkov
gate: no failed check except those declared, with a reason, by a module or the spec."""

from __future__ import annotations

import datetime as dt

import pytest
from checkov_support import gate, real_checkov
from golden import STACKS


@pytest.mark.slow  # checkov over every stack: about 20 s
def test_every_generated_stack_passes_the_gate() -> None:
    checkov = real_checkov()
    stacks = [p.parent for p in STACKS]
    assert len(stacks) >= 10
    report = gate.scan(stacks, dt.date.today(), checkov)
    assert report.problems == []
    assert report.counts["passed"] > 0
