"""The monorepo's packaging rules: namespaces, editable installs, py.typed, lockstep versions."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DISTRIBUTIONS = ["core", "scoping", "sharding", "postgresql", "mysql", "oracle", "testing"]


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_namespace_folders_have_no_init_file(dist: str) -> None:
    src = ROOT / "packages" / dist / "src"
    assert not (src / "accord" / "__init__.py").exists()
    assert not (src / "accord" / "dialects" / "__init__.py").exists()


@pytest.mark.parametrize("dist", DISTRIBUTIONS)
def test_every_distribution_ships_py_typed(dist: str) -> None:
    src = ROOT / "packages" / dist / "src" / "accord"
    assert list(src.rglob("py.typed")), f"packages/{dist} ships no py.typed"


def test_versions_are_in_lockstep() -> None:
    pattern = re.compile(r'^version = "([^"]+)"$', re.MULTILINE)
    versions = {
        dist: pattern.findall((ROOT / "packages" / dist / "pyproject.toml").read_text())
        for dist in DISTRIBUTIONS
    }
    assert all(len(found) == 1 for found in versions.values()), versions
    assert len({found[0] for found in versions.values()}) == 1, versions


def test_editable_install_imports_from_the_checkout() -> None:
    code = (
        "import accord, accord.sql, accord.dialects.sqlite, accord.testing;"
        "print(accord.sql.__file__); print(accord.dialects.sqlite.__file__);"
        "print(accord.testing.__file__); print(len(list(accord.__path__)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd="/"
    ).stdout.split()
    assert out[0].startswith(str(ROOT / "packages" / "core" / "src"))
    assert out[1].startswith(str(ROOT / "packages" / "core" / "src"))
    assert out[2].startswith(str(ROOT / "packages" / "testing" / "src"))
    # One namespace portion per distribution: none hides the others.
    assert int(out[3]) == len(DISTRIBUTIONS)


def test_dialect_namespace_spans_distributions() -> None:
    import accord.dialects

    portions = {Path(p).parts[-4] for p in accord.dialects.__path__}
    assert {"core", "postgresql", "mysql", "oracle"} <= portions


def test_no_module_grows_past_800_lines() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {n}"
        for path in ROOT.glob("packages/*/src/**/*.py")
        if (n := len(path.read_text().splitlines())) > 800
    ]
    assert not long, long


def test_no_private_name_crosses_a_distribution() -> None:
    offenders = []
    for dist in DISTRIBUTIONS:
        if dist == "core":
            continue
        for path in (ROOT / "packages" / dist / "src").rglob("*.py"):
            for line in path.read_text().splitlines():
                stripped = line.strip()
                if stripped.startswith(("from accord.", "import accord.")) and (
                    " _" in stripped or "._" in stripped
                ):
                    offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert not offenders, offenders


def test_core_imports_no_driver_but_sqlite3() -> None:
    drivers = ("psycopg", "pymysql", "oracledb", "sqlalchemy")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "packages" / "core" / "src").rglob("*.py")
        for line in path.read_text().splitlines()
        if line.strip().startswith(
            tuple(f"{kw} {d}" for d in drivers for kw in ("import", "from"))
        )
    ]
    assert not offenders, offenders


def test_core_alone_runs_sqlite_and_names_missing_dialects() -> None:
    # -S: no site-packages, so no other accord distribution (nor any driver) is installed;
    # only accord-core's source is on the path.
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from accord.engine import create_engine\n"
        "from accord import exc\n"
        "engine = create_engine('sqlite://')\n"
        "with engine.connect() as conn:\n"
        "    print(conn.exec_driver_sql('select 40 + 2').scalar())\n"
        "for url in ('postgresql://u:pw-xyz@h/db', 'mysql://u:pw-xyz@h/db', 'oracle://u:pw-xyz@h'):\n"
        "    try:\n"
        "        create_engine(url)\n"
        "    except exc.NoSuchModuleError as err:\n"
        "        print(err)\n"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code, str(ROOT / "packages" / "core" / "src")],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
    ).stdout
    lines = out.splitlines()
    assert lines[0] == "42"
    assert "pip install accord-postgresql" in lines[1]
    assert "pip install accord-mysql" in lines[2]
    assert "pip install accord-oracle" in lines[3]
    assert "pw-xyz" not in out
