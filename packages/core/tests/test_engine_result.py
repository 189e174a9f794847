"""Result, Row, ScalarResult and MappingResult behaviour over driver SQL and in-memory rows."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

import pytest

from accord.engine import Connection, Engine, IteratorResult, ResultMetaData, create_engine
from accord.exc import (
    InvalidRequestError,
    MultipleResultsFound,
    NoResultFound,
    ResourceClosedError,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
from typing import Any


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = create_engine("sqlite://")
    with eng.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER)")
        conn.exec_driver_sql(
            "INSERT INTO t (id, name, qty) VALUES (:id, :name, :qty)",
            [
                {"id": 1, "name": "a", "qty": 10},
                {"id": 2, "name": "b", "qty": 20},
                {"id": 3, "name": "b", "qty": 30},
            ],
        )
    yield eng
    eng.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as c:
        yield c


SELECT = "SELECT id, name, qty FROM t ORDER BY id"


def test_rows_are_tuple_like(conn: Connection) -> None:
    rows = conn.exec_driver_sql(SELECT).all()
    assert rows == [(1, "a", 10), (2, "b", 20), (3, "b", 30)]
    row = rows[0]
    assert row[0] == 1
    assert row[-1] == 10
    assert row[0:2] == (1, "a")
    assert len(row) == 3
    assert list(row) == [1, "a", 10]
    assert "a" in row
    id_, name, qty = row
    assert (id_, name, qty) == (1, "a", 10)
    assert hash(row) == hash((1, "a", 10))
    assert repr(row) == "(1, 'a', 10)"


def test_row_attribute_and_mapping_access(conn: Connection) -> None:
    row = conn.exec_driver_sql(SELECT).first()
    assert row is not None
    assert row.name == "a"
    assert row._mapping["qty"] == 10
    assert dict(row._mapping) == {"id": 1, "name": "a", "qty": 10}
    assert row._fields == ("id", "name", "qty")
    assert row._asdict() == {"id": 1, "name": "a", "qty": 10}
    assert row._tuple() == (1, "a", 10)
    assert row._t == (1, "a", 10)
    assert "name" in row._mapping
    assert row._mapping.get("missing") is None


def test_row_unknown_attribute_names_the_columns(conn: Connection) -> None:
    row = conn.exec_driver_sql(SELECT).first()
    with pytest.raises(AttributeError, match="nope"):
        _ = row.nope  # type: ignore[union-attr]
    with pytest.raises(KeyError, match="nope"):
        _ = row._mapping["nope"]  # type: ignore[union-attr]


def test_row_pickles(conn: Connection) -> None:
    row = conn.exec_driver_sql(SELECT).first()
    copy = pickle.loads(pickle.dumps(row))
    assert copy == row
    assert copy.name == "a"


def test_row_mapping_by_column_object() -> None:
    marker = object()
    md = ResultMetaData(["x", "y"], [[marker], []])
    row = md._make_row((1, 2))
    assert row._mapping[marker] == 1
    assert row._mapping["y"] == 2


def test_ambiguous_name_raises_but_position_works() -> None:
    md = ResultMetaData(["id", "id"])
    row = md._make_row((1, 2))
    assert row[1] == 2
    with pytest.raises(InvalidRequestError, match="Ambiguous column name 'id'"):
        _ = row._mapping["id"]


def test_fetchone_fetchmany_fetchall(conn: Connection) -> None:
    result = conn.exec_driver_sql(SELECT)
    assert result.fetchone() == (1, "a", 10)
    assert result.fetchmany(1) == [(2, "b", 20)]
    assert result.fetchall() == [(3, "b", 30)]
    assert result.fetchone() is None
    assert result.fetchall() == []


def test_iteration(conn: Connection) -> None:
    assert [r.id for r in conn.exec_driver_sql(SELECT)] == [1, 2, 3]


def test_one_variants(conn: Connection) -> None:
    one = "SELECT id FROM t WHERE id = 1"
    none = "SELECT id FROM t WHERE id = 99"
    assert conn.exec_driver_sql(one).one() == (1,)
    assert conn.exec_driver_sql(one).one_or_none() == (1,)
    assert conn.exec_driver_sql(none).one_or_none() is None
    with pytest.raises(NoResultFound, match="No row was found when one was required"):
        conn.exec_driver_sql(none).one()
    with pytest.raises(MultipleResultsFound, match="exactly one"):
        conn.exec_driver_sql(SELECT).one()
    with pytest.raises(MultipleResultsFound, match="one or none"):
        conn.exec_driver_sql(SELECT).one_or_none()


def test_scalar_variants(conn: Connection) -> None:
    assert conn.exec_driver_sql(SELECT).scalar() == 1
    assert conn.exec_driver_sql("SELECT id FROM t WHERE id = 99").scalar() is None
    assert conn.exec_driver_sql("SELECT qty FROM t WHERE id = 2").scalar_one() == 20
    assert conn.exec_driver_sql("SELECT qty FROM t WHERE id = 9").scalar_one_or_none() is None
    with pytest.raises(NoResultFound):
        conn.exec_driver_sql("SELECT qty FROM t WHERE id = 9").scalar_one()
    with pytest.raises(MultipleResultsFound):
        conn.exec_driver_sql(SELECT).scalar_one_or_none()


def test_scalars_by_index_and_name(conn: Connection) -> None:
    assert conn.exec_driver_sql(SELECT).scalars().all() == [1, 2, 3]
    assert conn.exec_driver_sql(SELECT).scalars(1).all() == ["a", "b", "b"]
    assert conn.exec_driver_sql(SELECT).scalars("qty").all() == [10, 20, 30]
    assert conn.exec_driver_sql(SELECT).scalars("name").unique().all() == ["a", "b"]
    assert conn.exec_driver_sql(SELECT).scalars().first() == 1
    assert conn.exec_driver_sql("SELECT 5").scalars().one() == 5


def test_mappings(conn: Connection) -> None:
    maps = conn.exec_driver_sql(SELECT).mappings().all()
    assert maps[0] == {"id": 1, "name": "a", "qty": 10}
    assert maps[1]["name"] == "b"
    first = conn.exec_driver_sql(SELECT).mappings().first()
    assert first is not None
    assert first["qty"] == 10
    uniq = conn.exec_driver_sql("SELECT name FROM t").mappings().unique().all()
    assert [m["name"] for m in uniq] == ["a", "b"]


def test_unique_rows_and_strategy(conn: Connection) -> None:
    names = conn.exec_driver_sql("SELECT name FROM t ORDER BY id").unique().all()
    assert names == [("a",), ("b",)]
    by_name = conn.exec_driver_sql(SELECT).unique(lambda row: row.name).all()
    assert [r.id for r in by_name] == [1, 2]


def test_unique_fetchmany_fills_the_batch(conn: Connection) -> None:
    result = conn.exec_driver_sql("SELECT name FROM t ORDER BY id").unique()
    assert result.fetchmany(2) == [("a",), ("b",)]


def test_columns_reorders_and_selects(conn: Connection) -> None:
    rows = conn.exec_driver_sql(SELECT).columns("qty", "id").all()
    assert rows == [(10, 1), (20, 2), (30, 3)]
    assert rows[0].qty == 10
    one = conn.exec_driver_sql(SELECT).columns(1).all()
    assert one == [("a",), ("b",), ("b",)]


def test_partitions_and_yield_per(conn: Connection) -> None:
    parts = list(conn.exec_driver_sql(SELECT).partitions(2))
    assert [len(p) for p in parts] == [2, 1]
    parts = list(conn.exec_driver_sql(SELECT).yield_per(1).partitions())
    assert [len(p) for p in parts] == [1, 1, 1]


def test_tuples_returns_same_rows(conn: Connection) -> None:
    result = conn.exec_driver_sql(SELECT)
    assert result.tuples() is result
    assert result.t.__self__ is result  # type: ignore[attr-defined]


def test_keys(conn: Connection) -> None:
    assert conn.exec_driver_sql(SELECT).keys() == ["id", "name", "qty"]


def test_first_closes_the_result(conn: Connection) -> None:
    result = conn.exec_driver_sql(SELECT)
    assert result.first() == (1, "a", 10)
    assert result.closed
    with pytest.raises(ResourceClosedError, match="closed"):
        result.fetchone()


def test_close_then_fetch_raises(conn: Connection) -> None:
    result = conn.exec_driver_sql(SELECT)
    result.close()
    with pytest.raises(ResourceClosedError):
        result.all()


def test_dml_result_has_no_rows(conn: Connection) -> None:
    result = conn.exec_driver_sql("UPDATE t SET qty = qty + 1 WHERE name = 'b'")
    assert result.rowcount == 2
    assert not result.returns_rows
    with pytest.raises(ResourceClosedError, match="does not return rows"):
        result.fetchall()


def test_freeze_replays_rows(conn: Connection) -> None:
    frozen = conn.exec_driver_sql(SELECT).freeze()
    assert frozen().all() == frozen().all()
    assert frozen().scalars().all() == [1, 2, 3]
    assert frozen().first().name == "a"  # type: ignore[union-attr]


def test_iterator_result_from_python_rows() -> None:
    md = ResultMetaData(["a", "b"])
    result: IteratorResult[Any] = IteratorResult(md, iter([(1, 2), (3, 4)]))
    assert result.mappings().all() == [{"a": 1, "b": 2}, {"a": 3, "b": 4}]


def test_processors_apply_only_to_their_columns() -> None:
    md = ResultMetaData(["a", "b"], processors=[None, str.upper])
    result: IteratorResult[Any] = IteratorResult(md, iter([(1, "x"), (2, None)]))
    assert result.all() == [(1, "X"), (2, None)]
    result = IteratorResult(md, iter([(1, "x")]))
    assert result.scalars(1).all() == ["X"]


def test_result_context_manager_closes(conn: Connection) -> None:
    with conn.exec_driver_sql(SELECT) as result:
        assert result.fetchone() == (1, "a", 10)
    assert result.closed


def test_merge_chains_results_with_the_same_columns() -> None:
    md = ResultMetaData(["a"], processors=[str.upper])
    one: IteratorResult[Any] = IteratorResult(md, iter([("x",), ("y",)]))
    two: IteratorResult[Any] = IteratorResult(md, iter([("z",)]))
    merged = one.merge(two)
    assert merged.scalars().all() == ["X", "Y", "Z"]


def test_merge_rejects_other_columns() -> None:
    one: IteratorResult[Any] = IteratorResult(ResultMetaData(["a"]), iter([]))
    two: IteratorResult[Any] = IteratorResult(ResultMetaData(["b"]), iter([]))
    with pytest.raises(InvalidRequestError, match="different columns"):
        one.merge(two)


def test_yield_per_execution_option_sets_the_batch_size(conn: Connection) -> None:
    result = conn.exec_driver_sql(SELECT, execution_options={"yield_per": 2})
    assert [len(p) for p in result.partitions()] == [2, 1]
