"""The cross-backend integration suite; backend fixtures come from accord-testing (SPEC S13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.engine import create_engine
from accord.testing import provision
from accord.testing.backends import connect_args_for

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from accord.engine import Engine
    from accord.testing import Backend


@pytest.fixture(autouse=True)
def _clean_backend_after_test(request: pytest.FixtureRequest) -> None:
    """Backend tests commit for real: drop what each one created once it is done."""
    if "accord_backend" in request.fixturenames:
        request.getfixturevalue("accord_clean_tables")


@pytest.fixture
def second_engine(accord_backend: Backend, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a second database of the same backend, created for the test and dropped.

    Its name is the worker's database name plus ``_b`` (``provision.database_name()``), so
    parallel workers and runs never share it; dropping it first settles any prepared
    two-phase branch a failed test left there.
    """
    worker = f"{accord_backend.worker}_b"
    url = provision.provision_database(accord_backend.entry_url, tmp_path, worker)
    engine = create_engine(url, connect_args=connect_args_for(url.render_as_string(False)))
    try:
        yield engine
    finally:
        engine.dispose()
        provision.drop_database(accord_backend.entry_url, url, worker)
