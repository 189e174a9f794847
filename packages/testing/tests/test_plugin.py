"""The accord pytest plugin: its options, markers and backend URLs."""

from __future__ import annotations

import pytest

from accord.testing import BACKENDS, backend_url


def test_backend_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_TEST_POSTGRESQL_URL", "postgresql://u@h/db")
    monkeypatch.delenv("ACCORD_TEST_MYSQL_URL", raising=False)
    assert backend_url("postgresql") == "postgresql://u@h/db"
    assert backend_url("mysql") is None


def test_sqlite_always_has_an_embedded_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_TEST_SQLITE_URL", raising=False)
    assert backend_url("sqlite") == "sqlite://"
    assert BACKENDS[0] == "sqlite"


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.backend("sqlite")
        @pytest.mark.requires("savepoints")
        @pytest.mark.slow
        def test_marked():
            pass
        """
    )
    result = pytester.runpytest("--strict-markers")  # the plugin loads by entry point
    result.assert_outcomes(passed=1)


def test_unknown_required_backend_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--accord-require=postgresql,db2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown backend*db2*"])
