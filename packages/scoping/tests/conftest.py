"""Fixtures for accord-scoping: a sqlite file engine on a QueuePool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord.engine import create_engine
from accord.engine.pool import QueuePool

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Any]:
    """A file database, so that connections really are pooled (and can be counted)."""
    eng = create_engine(f"sqlite:///{tmp_path / 'scoping.sqlite'}", poolclass=QueuePool)
    yield eng
    eng.dispose()
