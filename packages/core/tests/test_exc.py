"""accord.exc: wrapping of driver errors, messages that stay short and hide what they must."""

from __future__ import annotations

import pickle
import sqlite3

from accord import exc


def _driver_error(cls: type[Exception], text: str) -> Exception:
    return cls(text)


def test_driver_error_is_wrapped_in_the_matching_class() -> None:
    orig = _driver_error(sqlite3.IntegrityError, "UNIQUE constraint failed: t.id")
    err = exc.DBAPIError.instance("INSERT INTO t VALUES (?)", (1,), orig, sqlite3.Error)
    assert type(err) is exc.IntegrityError
    assert isinstance(err, exc.DatabaseError)
    assert isinstance(err, exc.DBAPIError)
    assert err.orig is orig
    assert err.statement == "INSERT INTO t VALUES (?)"
    assert err.params == (1,)
    text = str(err)
    assert "sqlite3.IntegrityError" in text
    assert "UNIQUE constraint failed" in text
    assert "[SQL: INSERT INTO t VALUES (?)]" in text


def test_unknown_driver_subclass_maps_to_its_nearest_known_base() -> None:
    class LockTimeout(sqlite3.OperationalError):
        pass

    err = exc.DBAPIError.instance("SELECT 1", None, LockTimeout("locked"), sqlite3.Error)
    assert type(err) is exc.OperationalError


def test_non_driver_exception_becomes_a_statement_error() -> None:
    orig = TypeError("can't adapt type 'object'")
    err = exc.DBAPIError.instance("SELECT ?", (object(),), orig, sqlite3.Error)
    assert type(err) is exc.StatementError
    assert err.orig is orig


def test_hidden_parameters_never_appear() -> None:
    orig = sqlite3.IntegrityError("constraint failed")
    err = exc.DBAPIError.instance(
        "INSERT INTO users (password) VALUES (?)",
        ("hunter2",),
        orig,
        sqlite3.Error,
        hide_parameters=True,
    )
    assert "hunter2" not in str(err)
    assert "hidden" in str(err)


def test_many_parameter_sets_are_shown_briefly() -> None:
    params = [{"x": i} for i in range(1000)]
    err = exc.DBAPIError.instance("INSERT", params, sqlite3.DataError("bad"), sqlite3.Error)
    text = str(err)
    assert "997 more" in text
    assert len(text) < 400


def test_wrapped_errors_survive_pickling() -> None:
    err = exc.DBAPIError.instance(
        "SELECT 1", None, sqlite3.OperationalError("gone"), sqlite3.Error
    )
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is exc.OperationalError
    assert again.statement == "SELECT 1"


def test_all_is_sorted_and_complete() -> None:
    assert exc.__all__ == sorted(exc.__all__)
    public = {
        name
        for name, value in vars(exc).items()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and not name.startswith("_")
    }
    assert public == set(exc.__all__)
    assert all(issubclass(getattr(exc, name), exc.AccordError) for name in exc.__all__)
