"""Fixtures for the demo-network tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crawler.demo import DemoNetwork


@pytest.fixture(scope="module")
def network() -> Iterator[DemoNetwork]:
    """A demo network in phase 1, shared by the tests of one module."""
    with DemoNetwork() as net:
        yield net
