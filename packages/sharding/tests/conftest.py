"""Fixtures: three sqlite file databases and a mapped model sharded by region."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from accord.engine import create_engine
from accord.orm import DeclarativeBase, Mapped, mapped_column, relationship
from accord.sharding import LookupChooser, ShardedSession
from accord.sql import ForeignKey, String

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    region: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40))
    score: Mapped[int | None] = mapped_column(default=None)
    orders: Mapped[list[Order]] = relationship(back_populates="customer", lazy="select")


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"))
    total: Mapped[int]
    customer: Mapped[Customer] = relationship(back_populates="orders")


REGIONS = {"eu": "eu", "us": "us", "asia": "asia"}


@pytest.fixture
def models() -> SimpleNamespace:
    """The mapped classes."""
    return SimpleNamespace(Base=Base, Customer=Customer, Order=Order)


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """Three sqlite file databases (shards ``eu``, ``us``, ``asia``) with the tables."""
    out = {name: create_engine(f"sqlite:///{tmp_path / name}.db") for name in REGIONS}
    for engine in out.values():
        Base.metadata.create_all(engine)
    yield out
    for engine in out.values():
        engine.dispose()


@pytest.fixture
def chooser() -> LookupChooser:
    """Customers by region; an order goes where its customer is."""
    return LookupChooser(REGIONS, key="region", getters={Order: lambda o: o.customer.region})


@pytest.fixture
def session(engines: dict[str, Any], chooser: LookupChooser) -> Iterator[ShardedSession]:
    """A ShardedSession over the three databases."""
    s = ShardedSession(shards=engines, chooser=chooser)
    yield s
    s.close()


@pytest.fixture
def rows(engines: dict[str, Any]) -> Any:
    """``rows(shard, sql)``: what a fresh connection to one shard reads."""

    def read(shard: str, sql: str) -> list[tuple[Any, ...]]:
        with engines[shard].connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(sql).all()]

    return read
