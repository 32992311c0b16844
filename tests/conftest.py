"""Shared test options: `--update-golden` rewrites expected files instead of comparing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def aws_endpoint() -> Iterator[str]:
    """The URL of moto's server on 127.0.0.1, started once per test session."""
    from aws_server import running

    with running() as url:
        yield url
