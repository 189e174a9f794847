"""with_loader_criteria (direct and through do_orm_execute) and the ORM execution options
yield_per and identity_token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    UserDefinedOption,
    load_only,
    mapped_column,
    with_loader_criteria,
)
from accord.sql import ForeignKey, func, select, text

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class SoftDelete:
    """A mixin: rows with deleted = 1 are hidden by the global filter."""

    deleted: Mapped[bool] = mapped_column(default=False)


class Account(SoftDelete, Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Entry(SoftDelete, Base):
    __tablename__ = "entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[int]


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    Base.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO accounts (id, name, deleted) VALUES "
                "(1, 'a', 0), (2, 'b', 1), (3, 'c', 0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO entries (id, account_id, amount, deleted) VALUES "
                "(1, 1, 10, 0), (2, 1, 20, 1), (3, 2, 30, 0), (4, 3, 40, 0)"
            )
        )
    yield eng
    eng.dispose()


def test_criteria_on_the_selected_entity(engine: Any) -> None:
    with Session(engine) as s:
        stmt = select(Account).options(with_loader_criteria(Account, Account.name != "c"))
        assert sorted(a.id for a in s.scalars(stmt)) == [1, 2]


def test_lambda_criteria_for_a_mixin_reach_every_mapped_subclass(engine: Any) -> None:
    opt = with_loader_criteria(SoftDelete, lambda cls: cls.deleted.is_(False))
    with Session(engine) as s:
        assert sorted(a.id for a in s.scalars(select(Account).options(opt))) == [1, 3]
        assert sorted(e.id for e in s.scalars(select(Entry).options(opt))) == [1, 3, 4]


def test_criteria_on_an_inner_join_and_on_the_on_clause_of_an_outer_join(engine: Any) -> None:
    opt = with_loader_criteria(Entry, Entry.amount > 15)
    with Session(engine) as s:
        rows = s.execute(
            select(Account.id, Entry.id)
            .join(Entry, Entry.account_id == Account.id)
            .order_by(Entry.id)
            .options(opt)
        ).all()
        assert [tuple(r) for r in rows] == [(1, 2), (2, 3), (3, 4)]
        rows = s.execute(
            select(Account.id, func.count(Entry.id))
            .outerjoin(Entry)
            .group_by(Account.id)
            .order_by(Account.id)
            .options(with_loader_criteria(Entry, Entry.amount > 25))
        ).all()
        # the criteria sit in ON: accounts without a matching entry stay, with 0
        assert [tuple(r) for r in rows] == [(1, 0), (2, 1), (3, 1)]


def test_criteria_apply_to_a_select_of_columns(engine: Any) -> None:
    with Session(engine) as s:
        names = s.scalars(
            select(Account.name)
            .order_by(Account.name)
            .options(with_loader_criteria(Account, Account.deleted.is_(False)))
        ).all()
        assert names == ["a", "c"]


def test_criteria_values_are_bound_and_the_sql_is_reused(engine: Any) -> None:
    seen: list[tuple[str, Any]] = []
    listen(engine, "before_cursor_execute", lambda c, cur, st, p, *a: seen.append((st, p)))
    with Session(engine) as s:
        for name in ("a", "b"):
            stmt = select(Account).options(with_loader_criteria(Account, Account.name == name))
            assert [a.name for a in s.scalars(stmt)] == [name]
    assert seen[0][0] == seen[1][0]
    assert "'a'" not in seen[0][0]


def test_loader_only_criteria_leave_the_top_level_select_alone(engine: Any) -> None:
    opt = with_loader_criteria(Account, Account.deleted.is_(False), loader_only=True)
    with Session(engine) as s:
        assert len(s.scalars(select(Account).options(opt)).all()) == 3


def test_with_loader_criteria_argument_errors() -> None:
    with pytest.raises(exc.ArgumentError, match="needs a lambda"):
        with_loader_criteria(SoftDelete, Account.deleted.is_(False))
    with pytest.raises(exc.ArgumentError, match="needs a class"):
        with_loader_criteria("Account", Account.deleted.is_(False))


def _global_filter(state: Any) -> None:
    if (
        state.is_select
        and not state.is_column_load
        and not state.is_relationship_load
        and not state.execution_options.get("include_deleted", False)
    ):
        state.statement = state.statement.options(
            with_loader_criteria(SoftDelete, lambda cls: cls.deleted.is_(False))
        )


def test_global_filter_through_do_orm_execute(engine: Any) -> None:
    with Session(engine) as s:
        listen(s, "do_orm_execute", _global_filter)
        assert sorted(a.id for a in s.scalars(select(Account))) == [1, 3]
        assert s.get(Account, 2) is None
        assert sorted(e.id for e in s.scalars(select(Entry).join(Account))) == [1, 4]
        opts = {"include_deleted": True}
        everyone = s.scalars(select(Account), execution_options=opts).all()
        assert sorted(a.id for a in everyone) == [1, 2, 3]
        assert s.query(Account).count() == 2


def test_global_filter_spares_deferred_column_loads(engine: Any) -> None:
    with Session(engine) as s:
        listen(s, "do_orm_execute", _global_filter)
        acc = s.scalars(select(Account).where(Account.id == 1).options(load_only(Account.id)))
        account = acc.one()
        assert account.name == "a"


def test_user_defined_options_reach_listeners(engine: Any) -> None:
    class CacheHint(UserDefinedOption):
        pass

    seen: list[Any] = []
    with Session(engine) as s:
        listen(
            s, "do_orm_execute", lambda st: seen.extend(o.payload for o in st.user_defined_options)
        )
        s.scalars(select(Account).options(CacheHint("accounts"))).all()
    assert seen == ["accounts"]
    assert select(Account).options(CacheHint("x"))._generate_cache_key() == (
        select(Account).options(CacheHint("x"))._generate_cache_key()
    )


def test_yield_per_builds_objects_a_partition_at_a_time(engine: Any) -> None:
    with Session(engine) as s:
        result = s.execute(select(Entry).order_by(Entry.id).execution_options(yield_per=3))
        parts = [[e.id for (e,) in part] for part in result.partitions()]
        assert parts == [[1, 2, 3], [4]]
        scalars = s.scalars(select(Entry).order_by(Entry.id), execution_options={"yield_per": 2})
        it = iter(scalars)
        first = next(it)
        assert first.id == 1
        # only the first partition has been built so far (the objects of the first
        # result were not kept, so they have left the weak identity map)
        assert len(s.identity_map) == 2
        assert [e.id for e in it] == [2, 3, 4]


def test_yield_per_objects_enter_the_identity_map(engine: Any) -> None:
    with Session(engine) as s:
        got = []
        for part in s.scalars(select(Account).execution_options(yield_per=2)).partitions():
            got.extend(part)
        assert all(inspect(a).persistent for a in got)
        assert s.get(Account, 1) is got[0]


def test_identity_token_goes_into_the_identity_keys(engine: Any) -> None:
    with Session(engine) as s:
        a = s.scalars(
            select(Account).where(Account.id == 1), execution_options={"identity_token": "shard1"}
        ).one()
        b = s.scalars(select(Account).where(Account.id == 1)).one()
        assert inspect(a).key == (Account, (1,), "shard1")
        assert inspect(a).identity_token == "shard1"
        assert a is not b
        assert s.get(Account, 1, identity_token="shard1") is a
        assert s.get(Account, 1) is b


def test_criteria_reach_inside_a_subquery_of_the_entity(engine: Any) -> None:
    sub = select(Account).where(Account.id < 3).subquery()
    opt = with_loader_criteria(Account, Account.deleted.is_(False))
    with Session(engine) as s:
        ids = s.scalars(select(sub.c.id).order_by(sub.c.id).options(opt)).all()
        assert ids == [1]
        assert s.scalar(select(func.count()).select_from(sub).options(opt)) == 1
        assert s.scalar(select(func.count()).select_from(sub)) == 2
