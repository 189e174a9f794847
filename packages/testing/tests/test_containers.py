"""Shared containers: one start for all processes, counted users, stopped by its starter."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from filelock import FileLock

from accord.testing import containers
from accord.testing.backends import find_backend

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


class FakeContainer:
    """Stands in for a testcontainers container."""

    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def test_first_user_starts_and_later_users_share(tmp_path: Path) -> None:
    started: list[str] = []
    fake = FakeContainer()

    def start(name: str) -> tuple[str, Any]:
        started.append(name)
        return "postgresql+psycopg://postgres:pw@127.0.0.1:49153/test", fake

    first = containers.acquire("postgresql", tmp_path, start)
    second = containers.acquire("postgresql", tmp_path, start)
    assert first == second
    assert started == ["postgresql"]
    info = json.loads((tmp_path / "accord-postgresql.json").read_text())
    assert info["users"] == 2

    # Another process is still using it: the starter waits for it before stopping.
    def other_user_finishes() -> None:
        with FileLock(str(tmp_path / "accord-postgresql.lock")):
            path = tmp_path / "accord-postgresql.json"
            data = json.loads(path.read_text())
            data["users"] -= 1
            path.write_text(json.dumps(data))

    timer = threading.Timer(0.3, other_user_finishes)
    timer.start()
    containers.release("postgresql", tmp_path)
    timer.join()
    assert fake.stopped
    assert not (tmp_path / "accord-postgresql.json").exists()


def test_without_docker_the_reason_says_how_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ACCORD_TEST_MYSQL_URL", raising=False)
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    target = find_backend("mysql", tmp_path)
    assert not target.available
    assert target.reason.startswith("ACCORD_TEST_MYSQL_URL is not set and ")
    assert "testcontainers is not installed" in target.reason or "Docker" in target.reason


def test_images_match_the_documented_ones() -> None:
    assert containers.IMAGES["postgresql"].startswith("postgres:")
    assert containers.IMAGES["mysql"].startswith("mariadb:")
    assert containers.IMAGES["oracle"].startswith("gvenzl/oracle-free:")
