"""The accord pytest plugin: options, markers, skip reasons, required backends, summary."""

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


def test_an_unregistered_marker_still_fails_under_strict_markers(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.backends("sqlite")
        def test_marked():
            pass
        """
    )
    result = pytester.runpytest("--strict-markers")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*'backends' not found in `markers`*"])


def test_unknown_required_backend_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--accord-require=postgresql,db2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown backend*db2*"])


def test_unknown_selected_backend_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--accord-backends=sqlite,mssql")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--accord-backends names unknown backend*mssql*"])


@pytest.mark.usefixtures("no_servers")
def test_reachable_required_backend_lets_the_run_proceed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_one(accord_backend):\n    pass\n")
    result = pytester.runpytest("--accord-require=sqlite", "--accord-backends=sqlite")
    result.assert_outcomes(passed=1)


@pytest.mark.usefixtures("no_servers")
def test_required_backend_without_url_fails_the_run_at_start(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--accord-require=oracle")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--accord-require*cannot be reached*", "*oracle: ACCORD_TEST_ORACLE_URL is not set*"]
    )
    result.stdout.no_fnmatch_line("*test_nothing*PASSED*")


@pytest.mark.usefixtures("no_servers")
def test_required_backend_that_does_not_answer_fails_and_hides_the_password(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 1 on the loopback refuses connections at once.
    monkeypatch.setenv("ACCORD_TEST_MYSQL_URL", "mysql+pymysql://root:s3cret@127.0.0.1:1/test")
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest("--accord-require=mysql")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*mysql: ACCORD_TEST_MYSQL_URL=*:***@127.0.0.1:1/test*answer*"])
    assert "s3cret" not in result.stderr.str() + result.stdout.str()


@pytest.mark.usefixtures("no_servers")
def test_unreachable_backends_skip_with_the_reason(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_one(accord_backend):
            assert accord_backend.name == "sqlite"
        """
    )
    result = pytester.runpytest("-rs", "--accord-backends=sqlite,postgresql,oracle")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*SKIPPED*postgresql: ACCORD_TEST_POSTGRESQL_URL is not set and *",
            "*SKIPPED*oracle: ACCORD_TEST_ORACLE_URL is not set and *",
        ]
    )


@pytest.mark.usefixtures("no_servers")
def test_summary_counts_tests_per_backend(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(3))
        def test_many(accord_backend, n):
            pass

        def test_failing(accord_backend):
            assert False

        def test_unrelated():
            pass
        """
    )
    result = pytester.runpytest("--accord-backends=sqlite,mysql")
    result.stdout.fnmatch_lines(
        [
            "*accord: integration tests per backend*",
            "sqlite*4 run (3 passed, 1 failed)",
            "mysql*0 run (4 skipped): ACCORD_TEST_MYSQL_URL is not set*",
        ]
    )


@pytest.mark.usefixtures("no_servers")
def test_summary_aggregates_xdist_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("n", range(6))
        def test_many(accord_backend, n):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-n", "2", "--accord-backends=sqlite")
    result.assert_outcomes(passed=6)
    result.stdout.fnmatch_lines(["sqlite*6 run (6 passed)"])


def test_no_summary_without_backend_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing():\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line("*integration tests per backend*")


@pytest.mark.usefixtures("no_servers")
def test_requires_marker_skips_backends_lacking_a_capability(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requires("two_phase")
        def test_needs_2pc(accord_backend):
            pass

        @pytest.mark.requires("savepoints", "autocommit")
        def test_needs_savepoints(accord_backend):
            pass
        """
    )
    result = pytester.runpytest("-rs", "--accord-backends=sqlite")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*sqlite lacks two_phase*"])


@pytest.mark.usefixtures("no_servers")
def test_requires_marker_with_an_unknown_capability_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.requires("time_travel")
        def test_needs(accord_backend):
            pass
        """
    )
    result = pytester.runpytest("--accord-backends=sqlite")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*unknown capability 'time_travel'*known: *savepoints*"])


@pytest.mark.usefixtures("no_servers")
def test_backend_marker_narrows_the_parametrisation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.backend("sqlite")
        def test_only_sqlite(accord_backend):
            assert accord_backend.name == "sqlite"

        @pytest.mark.backend("postgresql")
        def test_only_pg(accord_backend):
            pass
        """
    )
    result = pytester.runpytest("-v", "-rs", "--accord-backends=sqlite,oracle")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*test_only_sqlite?sqlite? PASSED*",
            "*SKIPPED*runs only on postgresql, not among --accord-backends*",
        ]
    )
    result.stdout.no_fnmatch_line("*test_only_sqlite?oracle?*")


@pytest.mark.usefixtures("no_servers")
def test_docker_marker_skips_without_a_docker_engine(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.docker
        def test_needs_docker():
            pass

        def test_plain():
            pass
        """
    )
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*SKIPPED*needs Docker: *"])
