"""psycopg driver glue that needs no server: URLs, registry, isolation names, disconnects."""

from __future__ import annotations

import logging

import psycopg
import pytest

from accord import exc
from accord.dialects.postgresql import PGDialect_psycopg
from accord.engine import create_engine
from accord.engine.url import make_url


def test_create_engine_postgresql_url_picks_psycopg_driver():
    engine = create_engine("postgresql://scott:tiger@localhost/db")
    assert isinstance(engine.dialect, PGDialect_psycopg)
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
    assert engine.dialect.paramstyle == "pyformat"


def test_create_engine_postgresql_psycopg_url_loads_entry_point():
    engine = create_engine("postgresql+psycopg://scott@localhost/db")
    assert type(engine.dialect) is PGDialect_psycopg


def test_create_connect_args_maps_url_parts_and_query():
    dialect = PGDialect_psycopg()
    url = make_url(
        "postgresql+psycopg://scott:s3cret@db.example:6543/app"
        "?sslmode=require&application_name=web&connect_timeout=5"
    )
    cargs, cparams = dialect.create_connect_args(url)
    assert cargs == []
    assert cparams == {
        "host": "db.example",
        "port": 6543,
        "user": "scott",
        "password": "s3cret",
        "dbname": "app",
        "sslmode": "require",
        "application_name": "web",
        "connect_timeout": "5",
    }


def test_create_connect_args_repeated_host_becomes_host_list():
    dialect = PGDialect_psycopg()
    url = make_url("postgresql://u@/app?host=h1&host=h2&port=5432&port=5433")
    _, cparams = dialect.create_connect_args(url)
    assert cparams["host"] == "h1,h2"
    assert cparams["port"] == "5432,5433"


def test_create_connect_args_repeated_other_option_is_an_error():
    dialect = PGDialect_psycopg()
    with pytest.raises(exc.ArgumentError, match="sslmode"):
        dialect.create_connect_args(make_url("postgresql://u@h/app?sslmode=a&sslmode=b"))


def test_engine_repr_and_url_hide_password():
    engine = create_engine("postgresql://scott:s3cret@localhost/db")
    assert "s3cret" not in repr(engine)
    assert "s3cret" not in str(engine.url)


def test_failed_connect_error_does_not_show_password(caplog):
    engine = create_engine(
        "postgresql://nobody:s3cret@127.0.0.1:1/db", connect_args={"connect_timeout": 2}
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(exc.DBAPIError) as info:
        engine.connect()
    assert "s3cret" not in str(info.value)
    assert "s3cret" not in caplog.text


def test_create_engine_accepts_json_serializer_argument():
    engine = create_engine("postgresql://u@h/db", json_serializer=lambda v: "x")
    assert engine.dialect.json_serializer is not None


def test_create_engine_invalid_isolation_level_is_an_error():
    with pytest.raises(exc.ArgumentError, match="isolation level"):
        create_engine("postgresql://u@h/db", isolation_level="SOMETIMES")


def test_isolation_level_values_include_autocommit():
    assert PGDialect_psycopg().get_isolation_level_values(None) == [
        "AUTOCOMMIT",
        "READ COMMITTED",
        "READ UNCOMMITTED",
        "REPEATABLE READ",
        "SERIALIZABLE",
    ]


def test_capability_flags_match_postgresql():
    d = PGDialect_psycopg()
    for flag in (
        "supports_returning",
        "insert_executemany_returning",
        "supports_savepoints",
        "supports_two_phase",
        "supports_native_boolean",
        "supports_native_decimal",
        "supports_native_uuid",
        "supports_sequences",
        "supports_server_side_cursors",
    ):
        assert getattr(d, flag) is True, flag
    assert not d.postfetch_lastrowid


class _FakeConnection:
    def __init__(self, closed: bool) -> None:
        self.closed = closed


@pytest.mark.parametrize(
    "message",
    [
        "terminating connection due to administrator command",
        "server closed the connection unexpectedly",
        "consuming input failed: SSL connection has been closed unexpectedly",
        "the connection is closed",
    ],
)
def test_is_disconnect_true_for_lost_session_messages(message):
    err = psycopg.OperationalError(message)
    assert PGDialect_psycopg().is_disconnect(err, _FakeConnection(False), None)


def test_is_disconnect_true_when_connection_is_closed():
    err = psycopg.OperationalError("something odd")
    assert PGDialect_psycopg().is_disconnect(err, _FakeConnection(True), None)


def test_is_disconnect_false_for_ordinary_errors():
    d = PGDialect_psycopg()
    assert not d.is_disconnect(psycopg.errors.UniqueViolation("dup"), _FakeConnection(False), None)
    assert not d.is_disconnect(psycopg.OperationalError("deadlock"), _FakeConnection(False), None)
    assert not d.is_disconnect(ValueError("x"), None, None)
