"""accord-sharding depends on accord-core's public API only; core never imports sharding."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SRC = ROOT / "packages" / "sharding" / "src"
PUBLIC_ROOTS = {
    "accord",
    "accord.orm",
    "accord.sql",
    "accord.engine",
    "accord.event",
    "accord.exc",
    "accord.inspection",
}
IMPORT = re.compile(r"^\s*(?:from\s+(\S+)\s+import\s+(.+)|import\s+(\S+))")


def test_core_does_not_import_sharding() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in (ROOT / "packages" / "core" / "src").rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if "accord.sharding" in line
    ]
    assert not offenders, offenders


def test_sharding_imports_only_public_core_names() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        for line in path.read_text().splitlines():
            m = IMPORT.match(line)
            if m is None:
                continue
            module = m.group(1) or m.group(3)
            if not module.startswith("accord"):
                continue  # stdlib, or a sibling (relative) import
            if module.startswith("accord.sharding"):
                continue
            names = [n.strip() for n in (m.group(2) or "").split(",")]
            if module not in PUBLIC_ROOTS or any(n.startswith("_") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}: {line.strip()}")
    assert not offenders, offenders


def test_works_with_accord_core_alone() -> None:
    # -S: no site-packages; only the sources of accord-core and accord-sharding are on the path
    code = (
        "import sys, tempfile; sys.path[:0] = sys.argv[1:]\n"
        "from accord.engine import create_engine\n"
        "from accord.sharding import ShardedSession\n"
        "from accord.sql import text\n"
        "d = tempfile.mkdtemp()\n"
        "shards = {n: create_engine(f'sqlite:///{d}/{n}.db') for n in ('a', 'b')}\n"
        "s = ShardedSession(shards=shards, shard_chooser=lambda m, i, clause=None: 'a')\n"
        "print(sorted(s.scalars(text('select 40 + 2')).all()))\n"
        "s.close()\n"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code, str(ROOT / "packages" / "core" / "src"), str(SRC)],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
    ).stdout
    assert out.split() == ["[42,", "42]"]
