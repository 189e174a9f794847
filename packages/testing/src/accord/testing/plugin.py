"""pytest hooks of accord-testing: options, markers, backend parametrisation, summary.

The plugin imports no database driver; servers are reached through accord's own
``create_engine`` once the backend's dialect package is installed.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pytest

from accord.testing.backends import BACKENDS, find_backend

if TYPE_CHECKING:
    from accord.testing.backends import BackendTarget

__all__ = [
    "BackendSummary",
    "TARGETS_KEY",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_generate_tests",
    "pytest_runtest_setup",
    "pytest_sessionstart",
    "required_backends",
    "selected_backends",
]

# Fixtures live in their own module; pytest loads it along with this plugin.
pytest_plugins = ["accord.testing.fixtures"]

#: Backends found by this process, by name (found lazily, once).
TARGETS_KEY = pytest.StashKey[dict[str, "BackendTarget"]]()
_PROPERTY = "accord_backend"


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--accord-backends`` and ``--accord-require``."""
    group = parser.getgroup("accord", "accord database backends")
    group.addoption(
        "--accord-backends",
        default=",".join(BACKENDS),
        help="comma-separated backends to run integration tests on (default: all reachable)",
    )
    group.addoption(
        "--accord-require",
        default="",
        help="comma-separated backends that must be reachable; an unreachable one fails the run",
    )


def _names(config: pytest.Config, option: str) -> list[str]:
    value = str(config.getoption(option) or "")
    return [name.strip() for name in value.split(",") if name.strip()]


def required_backends(config: pytest.Config) -> list[str]:
    """The backends named by ``--accord-require``."""
    return _names(config, "accord_require")


def selected_backends(config: pytest.Config) -> list[str]:
    """The backends named by ``--accord-backends``, in the plugin's order."""
    chosen = set(_names(config, "accord_backends"))
    return [name for name in BACKENDS if name in chosen]


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers (``--strict-markers`` is on) and check the options' names."""
    config.addinivalue_line("markers", "backend(*names): run only on the named backends")
    config.addinivalue_line(
        "markers", "requires(*capabilities): skip on backends lacking a capability"
    )
    config.addinivalue_line("markers", "slow: a test that takes more than a few seconds")
    config.addinivalue_line("markers", "docker: a test that needs a Docker engine")
    for option, names in (
        ("--accord-require", required_backends(config)),
        ("--accord-backends", _names(config, "accord_backends")),
    ):
        unknown = sorted(set(names) - set(BACKENDS))
        if unknown:
            raise pytest.UsageError(
                f"{option} names unknown backend(s) {unknown}; known: {list(BACKENDS)}"
            )
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(BackendSummary(), "accord-backend-summary")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Fail at once when a backend named by ``--accord-require`` cannot be reached."""
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller checked already
        return
    problems = []
    for name in required_backends(config):
        # A container is started lazily by the first test that needs it; here it is
        # enough that Docker and testcontainers can start one.
        target = find_backend(name, start=False)
        if target.url is None and target.source != "container":
            problems.append(f"  {name}: {target.reason}")
    if problems:
        raise pytest.UsageError(
            "--accord-require: these backends cannot be reached:\n" + "\n".join(problems)
        )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise ``accord_backend`` over the selected backends (``backend()`` narrows)."""
    if "accord_backend" not in metafunc.fixturenames:
        return
    names = selected_backends(metafunc.config)
    only = [str(n) for mark in metafunc.definition.iter_markers("backend") for n in mark.args]
    if only:
        names = [name for name in names if name in only]
    if names:
        metafunc.parametrize("accord_backend", names, indirect=True, scope="session")
        return
    reason = f"runs only on {', '.join(only)}, not among --accord-backends"
    metafunc.parametrize(
        "accord_backend",
        [pytest.param(None, id="no-backend", marks=pytest.mark.skip(reason=reason))],
        indirect=True,
        scope="session",
    )


_DOCKER_REASON = pytest.StashKey[str | None]()


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip a ``docker``-marked test, with the reason, when no Docker engine can be used."""
    if item.get_closest_marker("docker") is None:
        return
    config = item.config
    if _DOCKER_REASON not in config.stash:
        from accord.testing import containers

        config.stash[_DOCKER_REASON] = containers.unavailable_reason()
    reason = config.stash[_DOCKER_REASON]
    if reason is not None:
        pytest.skip(f"needs Docker: {reason}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tag each backend test's reports with its backend (counted by the controller)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and isinstance(callspec.params.get("accord_backend"), str):
            item.user_properties.append((_PROPERTY, callspec.params["accord_backend"]))


class BackendSummary:
    """Counts backend tests by outcome and prints them at the end of the run.

    Under xdist the controller receives every worker's reports, so its counts cover the
    whole run.
    """

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.reasons: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count one phase of a backend test."""
        backend = next((str(v) for k, v in report.user_properties if k == _PROPERTY), None)
        if backend is None:
            return
        counts = self.counts.setdefault(backend, Counter())
        if report.when == "call":
            counts["skipped" if report.skipped else report.outcome] += 1
        elif report.when == "setup" and report.skipped:
            counts["skipped"] += 1
            longrepr = report.longrepr
            if isinstance(longrepr, tuple) and len(longrepr) == 3:
                self.reasons.setdefault(
                    backend,
                    str(longrepr[2]).removeprefix("Skipped: ").removeprefix(f"{backend}: "),
                )
        elif report.failed:
            counts["error"] += 1

    def lines(self) -> list[str]:
        """One line per backend: tests run and their outcomes."""
        out = []
        for name in [n for n in BACKENDS if n in self.counts]:
            c = self.counts[name]
            ran = c["passed"] + c["failed"]
            parts = [f"{c[k]} {k}" for k in ("passed", "failed", "error", "skipped") if c[k]]
            line = f"{name:<11} {ran:>5} run" + (f" ({', '.join(parts)})" if parts else "")
            if ran == 0 and name in self.reasons:
                line += f": {self.reasons[name]}"
            out.append(line)
        return out

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Print how many integration tests ran on each backend."""
        lines = self.lines()
        if lines:
            terminalreporter.section("accord: integration tests per backend")
            for line in lines:
                terminalreporter.write_line(line)
