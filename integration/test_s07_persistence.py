"""S7 on every backend: ORM bulk INSERT, INSERT/upsert RETURNING objects, server-generated
values on UPDATE, FOR UPDATE from get()/refresh(), from_statement(), close() states."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import FetchedValue, String, func, insert, select, text

if TYPE_CHECKING:
    from accord.engine import Engine


class _Models:
    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Account(Base):
            __tablename__ = "s07_account"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column("acct_name", String(40), unique=True)
            status: Mapped[str] = mapped_column(String(10), default="new")
            balance: Mapped[int] = mapped_column(default=lambda: 100)

        class Stamped(Base):
            __tablename__ = "s07_stamped"

            id: Mapped[int] = mapped_column(primary_key=True)
            data: Mapped[str] = mapped_column(String(20))
            stamp: Mapped[int | None] = mapped_column(onupdate=func.abs(-7))
            by_trigger: Mapped[int] = mapped_column(
                server_default="0", server_onupdate=FetchedValue()
            )
            __mapper_args__ = {"eager_defaults": True}

        self.Account = Account
        self.Stamped = Stamped
        Base.metadata.create_all(engine)


@pytest.fixture
def models(accord_engine: Engine) -> _Models:
    """The mapped classes of this module, their tables created on the backend."""
    return _Models(accord_engine)


@pytest.fixture
def sent(accord_engine: Engine) -> list[str]:
    """Every SQL string sent to the driver, in order."""
    seen: list[str] = []
    listen(accord_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def _committed(engine: Engine, sql: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def test_bulk_insert_of_attribute_keys_with_python_defaults(
    accord_engine: Engine, models: _Models
) -> None:
    account = models.Account
    with Session(accord_engine) as s:
        s.execute(insert(account), [{"id": i, "name": f"a{i}"} for i in range(1, 4)])
        s.commit()
    rows = _committed(accord_engine, "SELECT id, acct_name, status, balance FROM s07_account")
    assert sorted(rows) == [(1, "a1", "new", 100), (2, "a2", "new", 100), (3, "a3", "new", 100)]


def test_bulk_insert_returning_objects_in_parameter_order(
    accord_engine: Engine, models: _Models
) -> None:
    account = models.Account
    names = ["zed", "amy", "kim", "bob"]
    with Session(accord_engine) as s:
        stmt = insert(account).returning(account)
        if not accord_engine.dialect.insert_returning:
            with pytest.raises(exc.CompileError, match="RETURNING"):
                s.scalars(stmt, [{"name": n} for n in names])
            return
        objs = s.scalars(stmt, [{"name": n} for n in names]).all()
        assert [o.name for o in objs] == names
        assert all(inspect(o).persistent for o in objs)
        assert [o.balance for o in objs] == [100] * 4
        ids = [o.id for o in objs]
        s.commit()
    stored = dict(
        (n, i) for i, n in _committed(accord_engine, "SELECT id, acct_name FROM s07_account")
    )
    assert [stored[n] for n in names] == ids


def test_upsert_returning_objects_refreshes_the_identity_map(
    accord_engine: Engine, models: _Models
) -> None:
    account = models.Account
    dialect = accord_engine.dialect
    if not dialect.insert_returning:
        pytest.skip("this server has no INSERT ... RETURNING")  # MySQL proper
    with Session(accord_engine) as s:
        s.add(account(id=1, name="one", status="old"))
        s.commit()
        existing = s.get(account, 1)
        assert existing is not None
        params = [{"id": 1, "name": "one", "status": "upd"}, {"id": 2, "name": "two"}]
        if dialect.name == "mysql":
            from accord.dialects.mysql import insert as upsert

            stmt = upsert(account)
            stmt = stmt.on_duplicate_key_update(status=stmt.inserted.status)
        else:
            if dialect.name == "postgresql":
                from accord.dialects.postgresql import insert as upsert
            else:
                from accord.dialects.sqlite import insert as upsert
            stmt = upsert(account)
            stmt = stmt.on_conflict_do_update(
                index_elements=["id"], set_={"status": stmt.excluded.status}
            )
        params[1]["status"] = "ins"
        objs = s.scalars(
            stmt.returning(account), params, execution_options={"populate_existing": True}
        ).all()
        assert objs[0] is existing
        assert [(o.id, o.status) for o in objs] == [(1, "upd"), (2, "ins")]
        s.commit()
    stored = _committed(accord_engine, "SELECT id, status FROM s07_account ORDER BY id")
    assert stored == [(1, "upd"), (2, "ins")]


def _trigger(engine: Engine) -> None:
    name = engine.dialect.name
    with engine.begin() as conn:
        if name == "postgresql":
            conn.execute(
                text(
                    "CREATE OR REPLACE FUNCTION s07_bump() RETURNS trigger AS $$ BEGIN "
                    "NEW.by_trigger := OLD.by_trigger + 1; RETURN NEW; END $$ LANGUAGE plpgsql"
                )
            )
            conn.execute(
                text(
                    "CREATE TRIGGER s07_bump BEFORE UPDATE ON s07_stamped "
                    "FOR EACH ROW EXECUTE FUNCTION s07_bump()"
                )
            )
        elif name == "mysql":
            conn.execute(
                text(
                    "CREATE TRIGGER s07_bump BEFORE UPDATE ON s07_stamped "
                    "FOR EACH ROW SET NEW.by_trigger = OLD.by_trigger + 1"
                )
            )
        else:  # sqlite: only an AFTER trigger can change the row
            conn.execute(
                text(
                    "CREATE TRIGGER s07_bump AFTER UPDATE OF data ON s07_stamped BEGIN "
                    "UPDATE s07_stamped SET by_trigger = by_trigger + 1 WHERE id = NEW.id; END"
                )
            )


def test_server_onupdate_values_read_back_or_expired(
    accord_engine: Engine, models: _Models, sent: list[str]
) -> None:
    stamped = models.Stamped
    _trigger(accord_engine)
    dialect = accord_engine.dialect
    with Session(accord_engine) as s:
        row = stamped(id=1, data="a")
        s.add(row)
        s.flush()
        row.data = "b"
        sent.clear()
        s.flush()
        if dialect.update_returning:
            # eager_defaults=True: the UPDATE returns the server-side values
            assert len(sent) == 1
            assert "RETURNING" in sent[0]
            assert "stamp" not in inspect(row).expired_attributes
            assert row.stamp == 7
            assert len(sent) == 1
        else:  # MariaDB: no UPDATE ... RETURNING, so expired and loaded on access
            assert {"stamp", "by_trigger"} <= inspect(row).expired_attributes
            assert row.stamp == 7
            assert row.by_trigger == 1
            assert sent[-1].startswith("SELECT")
        s.expire(row, ["by_trigger"])
        assert row.by_trigger == 1  # what the trigger stored
        s.commit()
    assert _committed(accord_engine, "SELECT stamp, by_trigger FROM s07_stamped") == [(7, 1)]


def test_get_and_refresh_with_for_update(
    accord_engine: Engine, models: _Models, sent: list[str]
) -> None:
    account = models.Account
    with Session(accord_engine) as s:
        s.add(account(id=1, name="locked"))
        s.commit()
    locks = accord_engine.dialect.name != "sqlite"  # sqlite has no row locks: omitted
    with Session(accord_engine) as s:
        sent.clear()
        acct = s.get(account, 1, with_for_update=True)
        assert acct is not None
        assert sent[-1].rstrip().endswith("FOR UPDATE") is locks
        s.refresh(acct, ["name", "status"], with_for_update=True)
        assert "FOR UPDATE" in sent[-1] if locks else "FOR UPDATE" not in sent[-1]
        assert "balance" not in sent[-1]
        if accord_engine.dialect.name == "postgresql":
            with accord_engine.connect() as other, pytest.raises(exc.OperationalError):
                other.execute(text("SELECT id FROM s07_account WHERE id = 1 FOR UPDATE NOWAIT"))
        s.rollback()
        if accord_engine.dialect.name == "postgresql":  # released with the transaction
            with accord_engine.connect() as other:
                got = other.execute(
                    text("SELECT id FROM s07_account WHERE id = 1 FOR UPDATE NOWAIT")
                )
                assert got.scalar() == 1


def test_from_statement_and_text(accord_engine: Engine, models: _Models) -> None:
    account = models.Account
    with Session(accord_engine) as s:
        s.execute(
            text(
                "INSERT INTO s07_account (id, acct_name, status, balance) VALUES (:i, :n, 'x', 5)"
            ),
            [{"i": 1, "n": "p"}, {"i": 2, "n": "q"}],
        )
        stmt = select(account).from_statement(
            text("SELECT * FROM s07_account WHERE balance = :b ORDER BY id")
        )
        objs = s.scalars(stmt, {"b": 5}).all()
        assert [(o.id, o.name, o.status) for o in objs] == [(1, "p", "x"), (2, "q", "x")]
        assert s.get(account, 2) is objs[1]


def test_close_makes_rolled_back_inserts_transient(accord_engine: Engine, models: _Models) -> None:
    account = models.Account
    s = Session(accord_engine)
    kept = account(id=1, name="kept")
    s.add(kept)
    s.commit()
    gone = account(id=2, name="gone")
    s.add(gone)
    s.flush()
    s.close()
    assert inspect(gone).transient
    assert inspect(kept).detached
    assert _committed(accord_engine, "SELECT id FROM s07_account") == [(1,)]
