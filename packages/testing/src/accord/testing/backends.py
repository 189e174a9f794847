"""Where each backend is reached: ACCORD_TEST_<BACKEND>_URL, a container, or a reason to skip."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accord.engine import create_engine, make_url
from accord.sql import text

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "BACKENDS",
    "BackendTarget",
    "backend_url",
    "find_backend",
    "ping",
    "url_variable",
]

#: Every backend the plugin knows, in the order tests are parametrised.
BACKENDS: tuple[str, ...] = ("sqlite", "postgresql", "mysql", "oracle")

# A server that does not answer should fail fast, not hang the run; each driver spells
# its connect timeout differently (accord passes connect_args through unchanged).
_CONNECT_TIMEOUT_ARGS: dict[str, dict[str, object]] = {
    "postgresql": {"connect_timeout": 5},
    "mysql": {"connect_timeout": 5},
    "mariadb": {"connect_timeout": 5},
    "oracle": {"tcp_connect_timeout": 5},
}


@dataclass(frozen=True)
class BackendTarget:
    """How one backend is reached (``url`` with its password) or why it cannot be."""

    name: str
    url: str | None
    source: str
    reason: str = ""

    @property
    def available(self) -> bool:
        """True when tests can run on this backend."""
        return self.url is not None


def url_variable(name: str) -> str:
    """The environment variable naming the URL of backend ``name``."""
    return f"ACCORD_TEST_{name.upper()}_URL"


def backend_url(name: str) -> str | None:
    """Return the URL configured for ``name`` (sqlite always has an embedded one)."""
    url = os.environ.get(url_variable(name))
    if url:
        return url
    if name == "sqlite":
        return "sqlite://"
    return None


def connect_args_for(url: str) -> dict[str, object]:
    """Driver keyword arguments that bound the time spent connecting to ``url``."""
    return dict(_CONNECT_TIMEOUT_ARGS.get(make_url(url).get_backend_name(), {}))


def ping(url: str) -> None:
    """Connect through accord's own engine and run ``SELECT 1`` (errors propagate)."""
    engine = create_engine(url, connect_args=connect_args_for(url))
    try:
        with engine.connect() as conn:
            statement = "SELECT 1 FROM DUAL" if engine.dialect.name == "oracle" else "SELECT 1"
            conn.execute(text(statement)).scalar_one()
    finally:
        engine.dispose()


def _describe(err: BaseException) -> str:
    # accord's own errors already mask passwords; keep the message on one line.
    message = " ".join(str(err).split())
    return f"{type(err).__name__}: {message[:300]}"


def find_backend(name: str, shared_dir: Path | None = None, start: bool = True) -> BackendTarget:
    """Find backend ``name``: its URL variable, else a shared container, else a skip reason.

    ``shared_dir`` is the folder every xdist worker of the run sees (for the container
    lock); with ``start=False`` a container is only checked for, not started.
    """
    variable = url_variable(name)
    url = os.environ.get(variable)
    if url:
        try:
            ping(url)
        except Exception as err:  # any failure to connect means the backend is unusable
            shown = make_url(url)
            return BackendTarget(
                name, None, "environment", f"{variable}={shown} did not answer ({_describe(err)})"
            )
        return BackendTarget(name, url, "environment")
    if name == "sqlite":
        return BackendTarget(name, "sqlite://", "embedded")

    from accord.testing import containers

    problem = containers.unavailable_reason()
    if problem is not None:
        return BackendTarget(name, None, "none", f"{variable} is not set and {problem}")
    if not start or shared_dir is None:
        return BackendTarget(name, None, "container", "a container can be started")
    try:
        url = containers.acquire(name, shared_dir)
    except Exception as err:  # Docker answered but the container did not come up
        return BackendTarget(
            name, None, "container", f"the {name} container did not start ({_describe(err)})"
        )
    return BackendTarget(name, url, "container")
