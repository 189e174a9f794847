"""Database containers on testcontainers, one per backend, shared by all xdist workers.

Imported only when no URL is configured. The first process that needs a backend starts
its container under a file lock in the run's shared temp folder and records the URL
there; later processes reuse it. Each user is counted, and the process that started the
container stops it once no one uses it any more (testcontainers' reaper removes it if
the run dies first).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from filelock import FileLock

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["ContainerSpec", "IMAGES", "SPECS", "acquire", "release", "unavailable_reason"]


@dataclass(frozen=True)
class ContainerSpec:
    """Image, port, environment and URL template of one backend's container."""

    image: str
    port: int
    env: tuple[tuple[str, str], ...]
    url: str  # "{host}" and "{port}" are filled in once the container runs
    start_timeout: float


SPECS: dict[str, ContainerSpec] = {
    "postgresql": ContainerSpec(
        os.environ.get("ACCORD_TEST_POSTGRESQL_IMAGE", "postgres:16"),
        5432,
        (("POSTGRES_PASSWORD", "accord"), ("POSTGRES_DB", "test")),
        "postgresql+psycopg://postgres:accord@{host}:{port}/test",
        120,
    ),
    "mysql": ContainerSpec(
        os.environ.get("ACCORD_TEST_MYSQL_IMAGE", "mariadb:11"),
        3306,
        (("MARIADB_ROOT_PASSWORD", "accord"), ("MARIADB_DATABASE", "test")),
        "mysql+pymysql://root:accord@{host}:{port}/test",
        120,
    ),
    "oracle": ContainerSpec(
        os.environ.get("ACCORD_TEST_ORACLE_IMAGE", "gvenzl/oracle-free:23-slim"),
        1521,
        (("ORACLE_PASSWORD", "accord"),),
        "oracle+oracledb://system:accord@{host}:{port}/?service_name=FREEPDB1",
        600,
    ),
}

#: The image each backend's container runs (override with ACCORD_TEST_<BACKEND>_IMAGE).
IMAGES: dict[str, str] = {name: spec.image for name, spec in SPECS.items()}

# Containers this process started, by backend name; only their starter stops them.
_started: dict[str, Any] = {}


def unavailable_reason() -> str | None:
    """Why no container can be started here (``None`` when one can)."""
    if importlib.util.find_spec("testcontainers") is None:
        return "testcontainers is not installed (pip install 'accord-testing[containers]')"
    try:
        docker = importlib.import_module("docker")
        client = docker.from_env(timeout=5)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as err:  # no socket, permission denied, daemon down...
        first_line = str(err).splitlines()[0] if str(err) else type(err).__name__
        return f"no Docker engine answers ({first_line[:200]})"
    return None


def _start(name: str) -> tuple[str, Any]:
    """Start backend ``name``'s container and wait until it answers ``SELECT 1``."""
    from accord.testing.backends import ping

    core = importlib.import_module("testcontainers.core.container")
    spec = SPECS[name]
    container = core.DockerContainer(spec.image).with_exposed_ports(spec.port)
    for key, value in spec.env:
        container = container.with_env(key, value)
    container.start()
    url = spec.url.format(
        host=container.get_container_host_ip(), port=container.get_exposed_port(spec.port)
    )
    # Readiness is "accord can run a query", the only thing the tests depend on.
    deadline = time.monotonic() + spec.start_timeout
    while True:
        try:
            ping(url)
            return url, container
        except Exception:
            if time.monotonic() > deadline:
                container.stop()
                raise
            time.sleep(1)


def _paths(name: str, shared_dir: Path) -> tuple[Path, Path]:
    return shared_dir / f"accord-{name}.lock", shared_dir / f"accord-{name}.json"


def _read(info_path: Path) -> dict[str, Any]:
    if not info_path.exists():
        return {}
    data: dict[str, Any] = json.loads(info_path.read_text())
    return data


def acquire(
    name: str, shared_dir: Path, start: Callable[[str], tuple[str, Any]] | None = None
) -> str:
    """The URL of backend ``name``'s shared container, starting it if nobody has yet."""
    lock_path, info_path = _paths(name, shared_dir)
    with FileLock(str(lock_path)):
        info = _read(info_path)
        if info.get("url"):
            info["users"] = int(info.get("users", 0)) + 1
        else:
            url, container = (start or _start)(name)
            _started[name] = container
            info = {"url": url, "users": 1, "owner": os.getpid()}
        info_path.write_text(json.dumps(info))
        return str(info["url"])


def release(name: str, shared_dir: Path, wait: float = 3600.0) -> None:
    """Stop using ``name``'s container; its starter stops it once no one else uses it."""
    lock_path, info_path = _paths(name, shared_dir)
    lock = FileLock(str(lock_path))
    with lock:
        info = _read(info_path)
        if info:
            info["users"] = max(0, int(info.get("users", 1)) - 1)
            info_path.write_text(json.dumps(info))
    container = _started.pop(name, None)
    if container is None:
        return
    # The starter outlives its last test until the other workers are done with it.
    deadline = time.monotonic() + wait
    while True:
        with lock:
            info = _read(info_path)
            if int(info.get("users", 0)) <= 0 or time.monotonic() > deadline:
                info_path.unlink(missing_ok=True)
                break
        time.sleep(0.5)
    container.stop()
