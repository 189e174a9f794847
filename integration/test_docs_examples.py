"""The runnable examples in docs/examples work as documented (the tour is scripts/demo)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs_cleanly(script: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_tour_shows_each_chapter_and_hides_passwords(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / "tour.py")],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
        timeout=120,
    ).stdout
    for chapter in (
        "1. URLs",
        "2. Schema",
        "3. Statements",
        "4. Executing",
        "5. Upsert",
        "6. SAVEPOINT",
        "7. Errors",
        "8. The Session",
        "9. Relationships",
        "10. Loading",
        "11. Session transactions",
        "12. Sharding",
    ):
        assert chapter in out
    assert "tiger" not in out
    assert "customers: ['Ada Lovelace', 'Grace']" in out
    # An unknown backend: the error names it and the entry-point group dialects live in.
    assert "NoSuchModuleError: Can't load dialect 'mssql" in out
    assert "accord.dialects" in out
    # The Session chapter walks one object through every state, in order.
    states = ["TRANSIENT", "PENDING", "PERSISTENT", "DELETED", "DETACHED"]
    positions = [out.index(state) for state in states]
    assert positions == sorted(positions)
    assert "query returns the same object: True" in out
    assert "back_populates keeps both sides in step: True" in out
    assert "books now: ['Children of Dune']" in out
    assert "book.author from the identity map: True - 0 SELECTs" in out
    assert "Relationship Book.author accepts Author objects" in out
    # SAVEPOINT rollback: the object added inside it is transient, the changed one expired
    assert "inside the SAVEPOINT: new object now TRANSIENT" in out
    assert "committed: ['kept']" in out
    # sharding: rows split over two files, merged order and limit across them
    assert "ORDER BY id DESC LIMIT 3 across both shards: [8, 7, 6]" in out
    east = out.split("rows on east: ")[1].split("]")[0]
    west = out.split("rows on west: ")[1].split("]")[0]
    ids = sorted(int(i) for i in (east + "," + west).replace("[", "").split(","))
    assert ids == list(range(1, 9))
