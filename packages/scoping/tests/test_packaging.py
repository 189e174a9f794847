"""accord-scoping depends on accord-core's public API only; core never imports scoping."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SRC = ROOT / "packages" / "scoping" / "src"
PUBLIC_ROOTS = {
    "accord",
    "accord.orm",
    "accord.sql",
    "accord.engine",
    "accord.event",
    "accord.exc",
}
IMPORT = re.compile(r"^\s*(?:from\s+(\S+)\s+import\s+(.+)|import\s+(\S+))")


def test_core_does_not_import_scoping() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "packages" / "core" / "src").rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "accord.scoping" in line
    ]
    assert not offenders, offenders


def test_scoping_imports_only_public_core_names() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        for line in path.read_text().splitlines():
            m = IMPORT.match(line)
            if m is None:
                continue
            module = m.group(1) or m.group(3)
            if not module.startswith("accord"):
                continue  # stdlib, or a sibling (relative) import
            if module.startswith("accord.scoping"):
                continue
            names = [n.strip() for n in (m.group(2) or "").split(",")]
            if module not in PUBLIC_ROOTS or any(n.startswith("_") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert not offenders, offenders


def test_works_with_accord_core_alone() -> None:
    # -S: no site-packages; only the sources of accord-core and accord-scoping are on the path
    code = (
        "import sys; sys.path[:0] = sys.argv[1:]\n"
        "from accord.engine import create_engine\n"
        "from accord.orm import sessionmaker\n"
        "from accord.scoping import scoped_session\n"
        "from accord.sql import text\n"
        "Scoped = scoped_session(sessionmaker(create_engine('sqlite://')))\n"
        "print(Scoped.scalar(text('select 40 + 2')))\n"
        "Scoped.remove()\n"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code, str(ROOT / "packages" / "core" / "src"), str(SRC)],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
    ).stdout
    assert out.split() == ["42"]
