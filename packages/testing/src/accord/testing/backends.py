"""Which backends a test run can reach: a URL from ACCORD_TEST_<BACKEND>_URL, or none."""

from __future__ import annotations

import os

__all__ = ["BACKENDS", "backend_url"]

#: Every backend the plugin knows, in the order tests are parametrised.
BACKENDS: tuple[str, ...] = ("sqlite", "postgresql", "mysql", "oracle")


def backend_url(name: str) -> str | None:
    """Return the URL configured for ``name`` (sqlite always has an embedded one)."""
    url = os.environ.get(f"ACCORD_TEST_{name.upper()}_URL")
    if url:
        return url
    if name == "sqlite":
        return "sqlite://"
    return None
