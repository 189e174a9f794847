"""The cross-backend integration suite; backend fixtures come from accord-testing (SPEC S13)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _clean_backend_after_test(request: pytest.FixtureRequest) -> None:
    """Backend tests commit for real: drop what each one created once it is done."""
    if "accord_backend" in request.fixturenames:
        request.getfixturevalue("accord_clean_tables")
