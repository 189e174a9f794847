"""Server-generated values on UPDATE, SQL expressions on attributes, null() (SPEC S7)."""

from __future__ import annotations

from typing import Any

import pytest

from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import FetchedValue, func, null, text


def _models(eager: Any) -> Any:
    class Base(DeclarativeBase):
        pass

    class Row(Base):
        __tablename__ = "row"

        id: Mapped[int] = mapped_column(primary_key=True)
        data: Mapped[str] = mapped_column(default="d")
        counter: Mapped[int] = mapped_column(default=0)
        stamp: Mapped[int | None] = mapped_column(onupdate=func.abs(-7))
        by_trigger: Mapped[int] = mapped_column(server_default="0", server_onupdate=FetchedValue())
        note: Mapped[str | None] = mapped_column(default="default note")
        __mapper_args__ = {"eager_defaults": eager}

    return Base, Row


def _setup(eager: Any) -> tuple[Any, Any, list[str]]:
    base, row = _models(eager)
    engine = create_engine("sqlite://")
    base.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER row_upd AFTER UPDATE OF data ON row BEGIN "
                "UPDATE row SET by_trigger = by_trigger + 1 WHERE id = NEW.id; END"
            )
        )
    sent: list[str] = []
    listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    return engine, row, sent


def test_eager_defaults_true_reads_update_values_back_with_returning() -> None:
    engine, Row, sent = _setup(True)
    with Session(engine) as s:
        r = Row(id=1)
        s.add(r)
        s.flush()
        r.data = "changed"
        r.counter = Row.counter + 5  # a SQL expression, evaluated by the UPDATE
        del sent[:]
        s.flush()
        assert len(sent) == 1
        assert "RETURNING" in sent[0]
        state = inspect(r)
        assert "stamp" not in state.expired_attributes
        assert "counter" not in state.expired_attributes
        assert r.stamp == 7
        assert r.counter == 5
        assert len(sent) == 1  # nothing loaded afterwards


@pytest.mark.parametrize("eager", [False, "auto"])
def test_without_eager_defaults_update_values_are_expired_then_loaded(eager: Any) -> None:
    engine, Row, sent = _setup(eager)
    with Session(engine) as s:
        r = Row(id=1)
        s.add(r)
        s.flush()
        r.data = "changed"
        r.counter = Row.counter + 5
        del sent[:]
        s.flush()
        assert len(sent) == 1
        assert "RETURNING" not in sent[0]
        assert {"stamp", "counter", "by_trigger"} <= inspect(r).expired_attributes
        assert (r.counter, r.stamp, r.by_trigger) == (5, 7, 1)  # the trigger ran
        assert len(sent) == 2
        assert sent[1].startswith("SELECT")


def test_trigger_value_after_update_is_reloaded() -> None:
    engine, Row, _sent = _setup(False)
    with Session(engine) as s:
        r = Row(id=1)
        s.add(r)
        s.commit()
        assert r.by_trigger == 0
        r.data = "x"
        s.flush()
        assert r.by_trigger == 1
        r.data = "y"
        s.commit()
        assert r.by_trigger == 2


def test_null_forces_null_on_a_column_with_a_default() -> None:
    engine, Row, sent = _setup(False)
    with Session(engine) as s:
        r = Row(id=1, note=null())
        s.add(r)
        s.flush()
        assert "NULL" in sent[-1]
        assert "note" in inspect(r).expired_attributes
        assert r.note is None
        s.commit()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT note FROM row")).scalar() is None


def test_sql_expression_on_insert_is_evaluated_and_expired() -> None:
    engine, Row, sent = _setup(False)
    with Session(engine) as s:
        r = Row(id=1, counter=func.abs(-40) + 2)
        s.add(r)
        s.flush()
        assert "abs" in sent[-1]
        assert "counter" in inspect(r).expired_attributes
        assert r.counter == 42
