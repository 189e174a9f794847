"""Dialect facts without a server: URLs to connect arguments, versions, disconnect errors."""

from __future__ import annotations

from typing import Any

import pymysql
import pytest

from accord import exc
from accord.dialects.mysql import MariaDBDialect_pymysql, MySQLDialect_pymysql
from accord.dialects.mysql.base import parse_server_version
from accord.engine import create_engine, make_url, registry


def connect_args(url: str, **kw: Any) -> dict[str, Any]:
    dialect = MySQLDialect_pymysql(dbapi=pymysql, **kw)
    cargs, cparams = dialect.create_connect_args(make_url(url))
    assert cargs == []
    return cparams


def test_url_parts_become_pymysql_keywords() -> None:
    params = connect_args("mysql+pymysql://scott:tig%40er@db.example:3307/shop")
    found_rows = pymysql.constants.CLIENT.FOUND_ROWS
    assert params == {
        "host": "db.example",
        "port": 3307,
        "user": "scott",
        "password": "tig@er",
        "database": "shop",
        "charset": "utf8mb4",
        "client_flag": found_rows,
    }


def test_query_options_are_converted() -> None:
    params = connect_args(
        "mysql+pymysql://u@h/db?charset=latin1&connect_timeout=5&local_infile=on"
        "&ssl_ca=/ca.pem&ssl_verify_cert=off&unix_socket=/tmp/my.sock"
    )
    assert params["charset"] == "latin1"
    assert params["connect_timeout"] == 5
    assert params["local_infile"] is True
    assert params["ssl_ca"] == "/ca.pem"
    assert params["ssl_verify_cert"] is False
    assert params["unix_socket"] == "/tmp/my.sock"


def test_client_flag_option_keeps_found_rows() -> None:
    params = connect_args("mysql+pymysql://u@h/db?client_flag=1")
    assert params["client_flag"] == 1 | pymysql.constants.CLIENT.FOUND_ROWS


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("bogus=1", "Unknown MySQL URL option 'bogus'"),
        ("connect_timeout=x", "not an integer"),
        ("local_infile=maybe", "use on/off"),
    ],
)
def test_bad_query_options_are_clear_errors(query: str, match: str) -> None:
    with pytest.raises(exc.ArgumentError, match=match):
        connect_args(f"mysql+pymysql://u@h/db?{query}")


def test_connect_args_win_over_the_url() -> None:
    engine = create_engine("mysql+pymysql://u:secret@h/db", connect_args={"charset": "ascii"})
    assert "secret" not in repr(engine.url)
    assert "secret" not in str(engine)


def test_registry_maps_mysql_and_mariadb_urls() -> None:
    load: Any = registry.load  # the Dialect protocol's ClassVar mismatch is core's to fix
    assert load("mysql") is MySQLDialect_pymysql
    assert load("mysql+pymysql") is MySQLDialect_pymysql
    assert load("mariadb") is MariaDBDialect_pymysql
    assert load("mariadb+pymysql") is MariaDBDialect_pymysql


def test_mariadb_dialect_compiles_for_mariadb_before_connecting() -> None:
    dialect = MariaDBDialect_pymysql(dbapi=pymysql)
    assert dialect.is_mariadb
    assert dialect.insert_returning
    assert not dialect.update_returning
    assert dialect.supports_sequences


def test_mariadb_dialect_refuses_a_mysql_server() -> None:
    dialect = MariaDBDialect_pymysql(dbapi=pymysql)
    with pytest.raises(exc.InvalidRequestError, match="not MariaDB"):
        dialect._check_server_kind(False, (8, 0, 36))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5.5.5-10.11.6-MariaDB-0+deb12u1", ((10, 11, 6), True)),
        ("10.6.12-MariaDB", ((10, 6, 12), True)),
        ("8.0.36", ((8, 0, 36), False)),
        ("8.4.0-commercial", ((8, 4, 0), False)),
    ],
)
def test_server_version_strings_are_parsed(text: str, expected: Any) -> None:
    assert parse_server_version(text) == expected


def test_capability_flags_follow_the_server() -> None:
    mysql = MySQLDialect_pymysql(is_mariadb=False, server_version_info=(8, 0, 36))
    assert not mysql.supports_returning
    assert not mysql.supports_sequences
    assert mysql.supports_two_phase
    assert mysql.supports_savepoints
    assert mysql.postfetch_lastrowid
    assert not mysql.supports_native_boolean
    maria = MySQLDialect_pymysql(is_mariadb=True, server_version_info=(10, 11, 6))
    assert maria.insert_returning
    assert maria.delete_returning
    assert not maria.update_returning
    assert maria.supports_sequences
    assert maria.paramstyle == "pyformat"
    assert not maria.positional


@pytest.mark.parametrize(
    "error",
    [
        pymysql.err.OperationalError(2006, "MySQL server has gone away"),
        pymysql.err.OperationalError(2013, "Lost connection to MySQL server during query"),
        pymysql.err.OperationalError(2014, "Command Out of Sync"),
        pymysql.err.OperationalError(2055, "Lost connection"),
        pymysql.err.OperationalError(4031, "disconnected by the server because of inactivity"),
        pymysql.err.OperationalError(1927, "Connection was killed"),
        pymysql.err.InternalError(2013, "Lost connection"),
        pymysql.err.InterfaceError(0, ""),
    ],
)
def test_disconnect_errors_are_recognised(error: Exception) -> None:
    dialect = MySQLDialect_pymysql(dbapi=pymysql)
    assert dialect.is_disconnect(error, None, None)


@pytest.mark.parametrize(
    "error",
    [
        pymysql.err.OperationalError(1205, "Lock wait timeout exceeded"),
        pymysql.err.IntegrityError(1062, "Duplicate entry"),
        pymysql.err.ProgrammingError(1064, "You have an error in your SQL syntax"),
        ValueError("not a driver error"),
    ],
)
def test_other_errors_are_not_disconnects(error: Exception) -> None:
    dialect = MySQLDialect_pymysql(dbapi=pymysql)
    assert not dialect.is_disconnect(error, None, None)


def test_unknown_isolation_level_is_refused() -> None:
    with pytest.raises(exc.ArgumentError, match="Invalid isolation level"):
        create_engine("mysql+pymysql://u@h/db", isolation_level="SNAPSHOT")
