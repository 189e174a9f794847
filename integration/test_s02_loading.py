"""S2 loading on every backend: column loader options, with_loader_criteria, yield_per."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    defer,
    load_only,
    mapped_column,
    undefer,
    with_loader_criteria,
)
from accord.sql import String, Text, insert, select

if TYPE_CHECKING:
    from accord.engine import Engine


class _Models:
    """A fresh declarative base per test, so every test creates its own tables."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "s02_item"

            id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
            name: Mapped[str] = mapped_column(String(40))
            hidden: Mapped[bool] = mapped_column(default=False)
            body: Mapped[str | None] = mapped_column(Text, deferred=True)

        self.Base = Base
        self.Item = Item
        Base.metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(
                insert(Item),
                [
                    {"id": i, "name": f"n{i}", "hidden": i % 3 == 0, "body": f"b{i}"}
                    for i in range(1, 31)
                ],
            )


@pytest.fixture
def models(accord_engine: Engine) -> _Models:
    """The mapped classes of this module, their tables created and filled on the backend."""
    return _Models(accord_engine)


@pytest.fixture
def statements(accord_engine: Engine) -> list[str]:
    """Every SQL statement the engine sends to the driver, in order."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    listen(accord_engine, "before_cursor_execute", record)
    return seen


def test_column_options_choose_the_selected_columns(
    accord_engine: Engine, models: _Models, statements: list[str]
) -> None:
    Item = models.Item
    with Session(accord_engine) as s:
        item = s.scalars(select(Item).where(Item.id == 1).options(load_only(Item.name))).one()
        assert set(item.__dict__) >= {"id", "name"}
        assert "hidden" not in item.__dict__
        assert item.hidden is False  # loads on access
        other = s.scalars(
            select(Item).where(Item.id == 2).options(undefer(Item.body), defer(Item.name))
        ).one()
        assert other.__dict__["body"] == "b2"
        assert other.name == "n2"
        raising = s.scalars(
            select(Item).where(Item.id == 4).options(defer(Item.name, raiseload=True))
        ).one()
        with pytest.raises(exc.InvalidRequestError, match="raiseload"):
            _ = raising.name


def test_with_loader_criteria_and_the_global_filter(
    accord_engine: Engine, models: _Models
) -> None:
    Item = models.Item

    def only_visible(state: Any) -> None:
        if state.is_select and not state.is_column_load:
            state.statement = state.statement.options(
                with_loader_criteria(Item, Item.hidden.is_(False))
            )

    with Session(accord_engine) as s:
        listen(s, "do_orm_execute", only_visible)
        ids = s.scalars(select(Item.id).order_by(Item.id)).all()
        assert ids == [i for i in range(1, 31) if i % 3]
        assert s.get(Item, 3) is None
        assert s.query(Item).count() == 20


def test_yield_per_streams_objects_in_partitions(accord_engine: Engine, models: _Models) -> None:
    Item = models.Item
    with Session(accord_engine) as s:
        result = s.scalars(select(Item).order_by(Item.id).execution_options(yield_per=7))
        sizes = [len(part) for part in result.partitions()]
        assert sizes == [7, 7, 7, 7, 2]
        names = [i.name for i in s.scalars(select(Item).order_by(Item.id).limit(3))]
        assert names == ["n1", "n2", "n3"]
