"""Root conftest: until the dialect packages exist, check required servers with their drivers.

accord-testing registers ``--accord-require``; this hook makes a required backend that
does not answer fail the whole run instead of letting its tests be skipped.
"""

from __future__ import annotations

import pytest

from accord.testing.backends import backend_url
from accord.testing.plugin import required_backends


def _ping(name: str, url: str) -> None:
    """Open and close one connection to the server behind ``url`` with its raw driver."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("+psycopg", "").replace("+pymysql", ""))
    if name == "postgresql":
        import psycopg

        psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password or None,
            dbname=parts.path.lstrip("/"),
            connect_timeout=5,
        ).close()
    elif name == "mysql":
        import pymysql

        pymysql.connect(
            host=parts.hostname,
            port=parts.port or 3306,
            user=parts.username,
            password=parts.password or "",
            database=parts.path.lstrip("/"),
            connect_timeout=5,
        ).close()


def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail at once when a backend named by ``--accord-require`` cannot be reached."""
    config = session.config
    if hasattr(config, "workerinput"):  # xdist workers: the controller already checked
        return
    for name in required_backends(config):
        url = backend_url(name)
        if url is None:
            raise pytest.UsageError(
                f"--accord-require={name}: set ACCORD_TEST_{name.upper()}_URL to reach it"
            )
        try:
            _ping(name, url)
        except Exception as err:  # any driver error means the backend is unusable
            raise pytest.UsageError(
                f"--accord-require={name}: the server did not answer ({type(err).__name__}: {err})"
            ) from None
