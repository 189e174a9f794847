"""URL parsing, rendering and masking of passwords."""

from __future__ import annotations

import pytest

from accord.engine import URL, make_url
from accord.exc import ArgumentError


def test_make_url_parses_every_part() -> None:
    url = make_url("postgresql+psycopg://scott:tiger@db.example:5433/app?sslmode=require")
    assert url.drivername == "postgresql+psycopg"
    assert url.get_backend_name() == "postgresql"
    assert url.get_driver_name() == "psycopg"
    assert (url.username, url.password, url.host, url.port, url.database) == (
        "scott",
        "tiger",
        "db.example",
        5433,
        "app",
    )
    assert dict(url.query) == {"sslmode": "require"}


def test_make_url_decodes_percent_escapes_in_credentials() -> None:
    url = make_url("mysql://us%40er:p%40ss%2Fword@localhost/db")
    assert url.username == "us@er"
    assert url.password == "p@ss/word"


def test_make_url_repeated_query_keys_become_tuples() -> None:
    url = make_url("sqlite:///x.db?a=1&a=2&b=3")
    assert url.query["a"] == ("1", "2")
    assert url.query["b"] == "3"


@pytest.mark.parametrize(
    ("text", "database"),
    [
        ("sqlite://", None),
        ("sqlite:///:memory:", ":memory:"),
        ("sqlite:///relative.db", "relative.db"),
        ("sqlite:////abs/path.db", "/abs/path.db"),
    ],
)
def test_make_url_sqlite_forms(text: str, database: str | None) -> None:
    assert make_url(text).database == database


def test_make_url_ipv6_host() -> None:
    url = make_url("postgresql://u@[::1]:5432/db")
    assert url.host == "::1"
    assert url.port == 5432
    assert str(url) == "postgresql://u@[::1]:5432/db"


def test_str_and_repr_mask_password() -> None:
    url = make_url("postgresql://scott:tiger@localhost/db")
    assert "tiger" not in str(url)
    assert "tiger" not in repr(url)
    assert str(url) == "postgresql://scott:***@localhost/db"


def test_render_as_string_can_show_password_and_round_trips() -> None:
    text = "postgresql://scott:t%40ger@localhost:5432/db?a=1"
    url = make_url(text)
    assert url.render_as_string(hide_password=False) == text
    assert make_url(url.render_as_string(hide_password=False)) == url


def test_url_is_immutable_and_set_returns_copy() -> None:
    url = make_url("postgresql://scott:tiger@localhost/db")
    with pytest.raises(AttributeError):
        url.host = "other"  # type: ignore[misc]
    other = url.set(host="other", port=6543)
    assert (other.host, other.port) == ("other", 6543)
    assert url.host == "localhost"
    assert other.password == "tiger"


def test_create_takes_literal_values() -> None:
    url = URL.create("postgresql", username="a@b", password="p:w/@", host="h", database="d")
    assert url.password == "p:w/@"
    assert make_url(url.render_as_string(hide_password=False)) == url


def test_update_and_remove_query() -> None:
    url = make_url("sqlite:///x.db?a=1").update_query_dict({"b": "2"})
    assert dict(url.query) == {"a": "1", "b": "2"}
    assert dict(url.difference_update_query(["a"]).query) == {"b": "2"}


def test_urls_are_hashable_and_compare_by_value() -> None:
    assert make_url("sqlite:///a.db") == make_url("sqlite:///a.db")
    assert len({make_url("sqlite:///a.db"), make_url("sqlite:///a.db")}) == 1


def test_translate_connect_args_renames() -> None:
    url = make_url("mysql://scott:tiger@h:3306/db")
    assert url.translate_connect_args(username="user") == {
        "host": "h",
        "database": "db",
        "user": "scott",
        "password": "tiger",
        "port": 3306,
    }


def test_missing_scheme_is_argument_error() -> None:
    with pytest.raises(ArgumentError, match="missing scheme"):
        make_url("localhost/db")


def test_non_numeric_port_names_the_port() -> None:
    with pytest.raises(ArgumentError, match="port 'abc'") as info:
        make_url("postgresql://scott:tiger@localhost:abc/db")
    assert "tiger" not in str(info.value)


def test_invalid_scheme_is_argument_error() -> None:
    with pytest.raises(ArgumentError, match="scheme"):
        make_url("post gres://localhost/db")


def test_empty_scheme_is_argument_error() -> None:
    with pytest.raises(ArgumentError, match="missing scheme"):
        make_url("://localhost/db")


def test_make_url_rejects_non_strings() -> None:
    with pytest.raises(ArgumentError, match="int"):
        make_url(5)  # type: ignore[arg-type]
