"""Fixtures for testing the accord pytest plugin itself."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture
def no_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """No backend URL set and no Docker engine reachable: only sqlite is available."""
    for name in ("SQLITE", "POSTGRESQL", "MYSQL", "ORACLE"):
        monkeypatch.delenv(f"ACCORD_TEST_{name}_URL", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
