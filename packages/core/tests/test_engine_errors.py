"""Clear errors for bad input: missing dialects, bad URLs, and no password leaks."""

from __future__ import annotations

import importlib.metadata
import logging
from typing import TYPE_CHECKING, Any

import pytest

from accord.engine import create_engine, make_url, registry
from accord.exc import ArgumentError, NoSuchModuleError, OperationalError

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "s3cr3t-pw"


@pytest.fixture
def only_core_dialects(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend no dialect distribution other than accord-core is installed."""

    def core_only(*, group: str) -> list[Any]:
        found = importlib.metadata.entry_points(group=group)
        return [ep for ep in found if ep.name.startswith("sqlite.")]

    monkeypatch.setattr("accord.engine.registry.entry_points", core_only)
    monkeypatch.setattr(registry, "_cache", {})


@pytest.mark.usefixtures("only_core_dialects")
def test_postgresql_without_dialect_names_the_distribution() -> None:
    with pytest.raises(NoSuchModuleError) as info:
        create_engine(f"postgresql://u:{SECRET}@h/db")
    message = str(info.value)
    assert "accord-postgresql" in message
    assert "pip install accord-postgresql" in message
    assert SECRET not in message


@pytest.mark.usefixtures("only_core_dialects")
@pytest.mark.parametrize("url", ["mysql://u:x@h/db", "mariadb://u:x@h/db"])
def test_mysql_without_dialect_names_the_distribution(url: str) -> None:
    with pytest.raises(NoSuchModuleError, match="accord-mysql"):
        create_engine(url)


def test_unknown_driver_names_backend_and_driver() -> None:
    with pytest.raises(NoSuchModuleError, match=r"sqlite\.nodriver"):
        create_engine("sqlite+nodriver://")


@pytest.mark.parametrize(
    ("url", "part"),
    [
        (f"postgresql://u:{SECRET}@h:port/db", "port"),
        (f"u:{SECRET}@h/db", "scheme"),
        (f"://u:{SECRET}@h/db", "scheme"),
        (f"bad scheme://u:{SECRET}@h/db", "scheme"),
    ],
)
def test_malformed_url_names_the_bad_part_without_password(url: str, part: str) -> None:
    with pytest.raises(ArgumentError, match=part) as info:
        create_engine(url)
    assert SECRET not in str(info.value)


def test_sqlite_url_with_host_is_rejected() -> None:
    with pytest.raises(ArgumentError, match="host"):
        create_engine("sqlite://somehost/x.db")


def test_bad_sqlite_option_value() -> None:
    with pytest.raises(ArgumentError, match="foreign_keys"):
        create_engine("sqlite:///x.db?foreign_keys=maybe")


def test_url_and_engine_repr_hide_password() -> None:
    url = make_url(f"sqlite://u:{SECRET}@/x.db")
    assert SECRET not in str(url)
    assert SECRET not in repr(url)
    engine = create_engine("sqlite://")
    engine.url = url  # the repr only ever shows the masked URL
    assert SECRET not in repr(engine)
    assert "***" in repr(engine)


def test_errors_and_logs_never_show_the_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'x.db'}", echo=True)
    eng.url = eng.url.set(username="u", password=SECRET)
    with caplog.at_level(logging.DEBUG, logger="accord"):
        with eng.connect() as conn, pytest.raises(Exception, match="no such table") as info:
            conn.exec_driver_sql("SELECT * FROM missing")
        assert SECRET not in str(info.value)
        assert SECRET not in repr(eng)
    assert SECRET not in caplog.text


def test_unopenable_database_is_a_wrapped_operational_error(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    with pytest.raises(OperationalError, match="unable to open database") as info:
        eng.connect()
    assert type(info.value.orig).__name__ == "OperationalError"
