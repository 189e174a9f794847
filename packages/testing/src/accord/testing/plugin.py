"""pytest hooks of accord-testing: command-line options and markers.

The plugin imports no database driver; reaching a backend goes through accord's own
engine once the backend's dialect package is installed.
"""

from __future__ import annotations

import pytest

from accord.testing.backends import BACKENDS

__all__ = ["pytest_addoption", "pytest_configure", "required_backends"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--accord-backends`` and ``--accord-require``."""
    group = parser.getgroup("accord", "accord database backends")
    group.addoption(
        "--accord-backends",
        default=",".join(BACKENDS),
        help="comma-separated backends to run integration tests on (default: all reachable)",
    )
    group.addoption(
        "--accord-require",
        default="",
        help="comma-separated backends that must be reachable; an unreachable one fails the run",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers tests may use (``--strict-markers`` is on)."""
    config.addinivalue_line("markers", "backend(*names): run only on the named backends")
    config.addinivalue_line("markers", "requires(*capabilities): dialect capabilities needed")
    config.addinivalue_line("markers", "slow: a test that takes more than a few seconds")
    config.addinivalue_line("markers", "docker: a test that needs a Docker engine")
    unknown = set(required_backends(config)) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(
            f"--accord-require names unknown backend(s) {sorted(unknown)}; known: {list(BACKENDS)}"
        )


def required_backends(config: pytest.Config) -> list[str]:
    """The backends named by ``--accord-require``."""
    value = str(config.getoption("accord_require") or "")
    return [name.strip() for name in value.split(",") if name.strip()]
