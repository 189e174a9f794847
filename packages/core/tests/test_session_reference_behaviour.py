"""Session behaviour checked against SQLAlchemy 2.0's documented behaviour, one case a test."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from accord.engine import create_engine
from accord.event import listen
from accord.exc import InvalidRequestError
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from accord.sql import ForeignKey, String, select


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    fullname: Mapped[str | None] = mapped_column(String(50))


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), server_default="new")


class Folder(Base):
    __tablename__ = "folders"

    id: Mapped[int] = mapped_column(primary_key=True)
    files: Mapped[list[File]] = relationship(back_populates="folder")


class File(Base):
    __tablename__ = "files"

    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("folders.id"))
    folder: Mapped[Folder | None] = relationship(back_populates="files")


@pytest.fixture
def engine() -> Any:
    eng = create_engine("sqlite://")
    Base.metadata.create_all(eng)
    return eng


def _statements(engine: Any) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(statement.split()[0].upper())

    listen(engine, "before_cursor_execute", record)
    return seen


def test_flushed_unmodified_object_is_held_weakly_before_commit(engine: Any) -> None:
    # the open transaction remembers what it inserted, but not by a strong reference:
    # a batch flushed inside one long transaction can be garbage collected
    with Session(engine) as s:
        s.add(User(id=1, name="a"))
        s.flush()
        gc.collect()
        assert len(s.identity_map) == 0
        s.add(User(id=2, name="b"))
        s.flush()
        s.delete(s.get(User, 2))
        s.flush()
        gc.collect()
        s.rollback()  # the collected deleted object is not brought back
        assert len(s.identity_map) == 0
        assert s.get(User, 1) is None
        assert s.get(User, 2) is None


def test_refresh_discards_unflushed_changes_instead_of_flushing_them(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="a", fullname="x"))
        s.commit()
        u = s.get(User, 1)
        assert u is not None
        seen = _statements(engine)
        u.name = "changed"
        s.refresh(u)
        assert (u.name, seen) == ("a", ["SELECT"])
        assert not inspect(u).modified
        u.name = "r"
        u.fullname = "q"
        s.refresh(u, ["name"])  # only the refreshed attribute's change is dropped
        assert (u.name, u.fullname) == ("a", "q")
        assert seen == ["SELECT", "UPDATE", "SELECT"]
        assert not inspect(u).modified


def test_merge_of_expired_detached_object_uses_its_identity(engine: Any) -> None:
    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        s.commit()  # expired: the detached object's dict holds no primary key
    with Session(engine) as s2:
        merged = s2.merge(u)
        assert inspect(merged).persistent
        assert merged not in s2.new
        assert merged.name == "a"


def _lifecycle(session: Session) -> list[str]:
    seen: list[str] = []
    for name in (
        "persistent_to_detached",
        "deleted_to_detached",
        "deleted_to_persistent",
        "pending_to_transient",
        "after_transaction_create",
        "after_transaction_end",
        "before_flush",
    ):
        listen(session, name, lambda *a, name=name: seen.append(name))
    return seen


def test_expunge_of_flushed_deleted_object_is_not_restored_by_rollback(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="a"))
        s.commit()
        u = s.get(User, 1)
        s.delete(u)
        s.flush()
        seen = _lifecycle(s)
        s.expunge(u)
        assert seen == ["deleted_to_detached"]
        s.rollback()
        assert inspect(u).detached
        assert u not in s
        assert len(s.identity_map) == 0
        assert "deleted_to_persistent" not in seen


def test_make_transient_of_flushed_deleted_object_then_rollback(engine: Any) -> None:
    from accord.orm import make_transient

    with Session(engine) as s:
        s.add(User(id=1, name="a"))
        s.commit()
        u = s.get(User, 1)
        s.delete(u)
        s.flush()
        make_transient(u)
        s.rollback()  # used to fail putting a key-less state back into the identity map
        assert inspect(u).transient
        assert len(s.identity_map) == 0


def test_before_flush_fires_before_the_flush_subtransaction(engine: Any) -> None:
    with Session(engine) as s:
        s.begin()
        seen = _lifecycle(s)
        s.add(User(id=1, name="a"))
        s.flush()
        assert seen[:2] == ["before_flush", "after_transaction_create"]


def test_error_in_before_flush_does_not_roll_the_session_back(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="a"))
        s.flush()

        def fail(*args: Any) -> None:
            raise RuntimeError("no")

        listen(s, "before_flush", fail, once=True)
        s.add(User(id=2, name="b"))
        with pytest.raises(RuntimeError):
            s.flush()
        s.commit()  # still usable: no PendingRollbackError
    with Session(engine) as s:
        assert sorted(u.id for u in s.scalars(select(User))) == [1, 2]


def test_close_detaches_objects_before_the_transaction_ends(engine: Any) -> None:
    s = Session(engine)
    s.add(User(id=1, name="a"))
    s.commit()
    u = s.get(User, 1)
    seen = _lifecycle(s)
    s.close()
    assert seen == ["persistent_to_detached", "after_transaction_end"]
    assert inspect(u).detached


def test_is_modified_without_collections_ignores_collection_changes(engine: Any) -> None:
    from accord.orm import relationship
    from accord.sql import ForeignKey

    class Reg(DeclarativeBase):
        pass

    class Parent(Reg):
        __tablename__ = "parents"
        id: Mapped[int] = mapped_column(primary_key=True)
        children: Mapped[list[Child]] = relationship()

    class Child(Reg):
        __tablename__ = "children"
        id: Mapped[int] = mapped_column(primary_key=True)
        parent_id: Mapped[int | None] = mapped_column(ForeignKey("parents.id"))

    Reg.metadata.create_all(engine)
    with Session(engine) as s:
        p = Parent(id=1)
        s.add(p)
        s.commit()
        p.children.append(Child(id=1))
        assert s.is_modified(p)
        assert not s.is_modified(p, include_collections=False)


def _three_users(engine: Any) -> tuple[Session, list[User]]:
    s = Session(engine)
    s.add_all([User(id=i, name=n, fullname="f" + n) for i, n in [(1, "a"), (2, "b"), (3, "c")]])
    s.commit()
    return s, list(s.scalars(select(User).order_by(User.id)))


def test_orm_delete_marks_matched_objects_deleted_until_the_transaction_ends(
    engine: Any,
) -> None:
    from accord.sql import delete

    s, users = _three_users(engine)
    seen: list[str] = []
    listen(
        s,
        "persistent_to_deleted",
        lambda sess, obj: seen.append(f"deleted {inspect(obj).key[1][0]}"),
    )
    s.execute(delete(User).where(User.id >= 2))
    assert seen == ["deleted 2", "deleted 3"]
    assert inspect(users[1]).deleted
    assert users[1] not in s
    s.rollback()  # the rows are back, and so are the objects
    assert inspect(users[1]).persistent
    assert s.get(User, 2) is users[1]
    assert users[2].name == "c"  # loaded again (a fully expired object is not evaluated)
    s.execute(delete(User).where(User.id == 3))
    s.commit()
    assert inspect(users[2]).detached
    s.close()


@pytest.mark.parametrize("sync", ["auto", "evaluate", "fetch"])
def test_orm_update_applies_python_computable_values(engine: Any, sync: str) -> None:
    from accord.sql import update

    s, users = _three_users(engine)
    users[1].name = "pending"  # changed, not flushed: expired by the UPDATE
    s.execute(
        update(User)
        .where(User.id <= 2)
        .values(name=User.name + "x", fullname="z")
        .execution_options(synchronize_session=sync, autoflush=False)
    )
    a, b = users[0], users[1]
    assert (a.__dict__["name"], a.__dict__["fullname"]) == ("ax", "z")
    assert inspect(a).expired_attributes == set()
    assert "name" in inspect(b).expired_attributes
    assert b.name == "bx"
    s.close()


def test_get_of_expired_object_whose_row_is_gone_marks_it_deleted(engine: Any) -> None:
    from accord.sql import text

    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        s.commit()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM users"))
        assert s.get(User, 1) is None
        assert inspect(u).deleted
        assert u not in s


def test_auto_eager_defaults_read_server_default_of_row_with_given_key(engine: Any) -> None:
    # eager_defaults="auto": INSERT ... RETURNING brings the server default back even when
    # the primary key was given (not only when the database makes the key)
    with Session(engine) as s:
        n = Note(id=1)
        s.add(n)
        s.flush()
        assert n.__dict__["status"] == "new"


@pytest.mark.parametrize("method", ["expire", "refresh"])
def test_expire_or_refresh_of_flushed_deleted_object_raises(engine: Any, method: str) -> None:
    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        s.flush()
        s.delete(u)
        s.expire(u)  # only marked for deletion: still persistent
        s.flush()
        assert inspect(u).deleted
        with pytest.raises(InvalidRequestError, match="not persistent within this Session"):
            getattr(s, method)(u)


def test_rollback_of_object_inserted_and_deleted_in_one_transaction(engine: Any) -> None:
    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        s.flush()
        s.delete(u)
        s.flush()
        s.rollback()  # the INSERT is undone too: transient, not persistent again
        assert inspect(u).transient
        assert u not in s
        assert s.get(User, 1) is None


def test_merge_onto_expired_object_updates_the_row_it_was_loaded_from(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="a"))
        s.commit()  # expires the object; merge() sets its key attribute while not loaded
        merged = s.merge(User(id=1, name="b"))
        s.commit()
        assert merged.name == "b"
        assert s.execute(select(User.id, User.name)).all() == [(1, "b")]


def test_expired_attribute_of_rolled_back_insert_raises_instead_of_none(engine: Any) -> None:
    from accord.exc import DetachedInstanceError

    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        s.flush()
        s.expire_all()
        s.rollback()
        assert inspect(u).transient
        with pytest.raises(DetachedInstanceError):
            _ = u.name  # the value is unknown, not None


def test_query_fills_in_a_column_the_flushed_insert_did_not_set(engine: Any) -> None:
    # as SQLAlchemy: a row matched to an object already in the identity map fills the
    # attributes it has never loaded (the others keep their values)
    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        s.flush()
        assert "fullname" not in u.__dict__
        u.name = "changed"
        assert s.scalars(select(User)).all() == [u]  # autoflush, then the SELECT
        assert u.__dict__["fullname"] is None
        assert u.name == "changed"
        assert not s.dirty


@pytest.mark.parametrize("sync", ["auto", "evaluate"])
def test_orm_update_evaluate_skips_expired_and_expires_partly_expired(
    engine: Any, sync: str
) -> None:
    from accord.sql import update

    s, (a, b, c) = _three_users(engine)
    s.expire(b)  # fully expired: left alone, it reloads anyway
    s.expire(c, ["name"])  # the criteria read the unloaded name: c is expired
    s.execute(
        update(User)
        .where(User.name != "zz")
        .values(fullname="new")
        .execution_options(synchronize_session=sync)
    )  # was "Could not evaluate" ('evaluate') or a fallback to 'fetch' ('auto')
    assert a.__dict__["fullname"] == "new"
    assert inspect(b).expired
    assert inspect(c).expired
    assert (b.fullname, c.fullname) == ("new", "new")
    s.close()


def test_orm_delete_evaluate_leaves_fully_expired_objects_persistent(engine: Any) -> None:
    from accord.sql import delete

    s, (a, b, _c) = _three_users(engine)
    s.expire(b)
    s.execute(delete(User).where(User.id >= 1))
    assert inspect(a).deleted
    assert inspect(b).persistent  # as SQLAlchemy: not evaluated; its row is gone
    s.close()


def test_rollback_makes_an_expunged_inserted_object_transient(engine: Any) -> None:
    # as SQLAlchemy: the rolled-back INSERT leaves no row for its key to name
    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        s.flush()
        s.expunge_all()
        assert inspect(u).detached
        s.rollback()
        assert inspect(u).transient
        assert inspect(u).key is None


def test_change_after_commit_begins_a_transaction_that_rollback_expires(engine: Any) -> None:
    # autobegin: changing an object of the Session begins its transaction, so rollback()
    # discards the change (the object is expired) instead of finding nothing to roll back
    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        s.commit()
        u.name = "changed"
        assert s.in_transaction()
        s.rollback()
        assert "name" not in u.__dict__
        assert not s.dirty
        assert u.name == "a"


@pytest.mark.parametrize("sync", ["auto", "evaluate", "fetch"])
def test_savepoint_rollback_expires_objects_an_orm_update_changed(engine: Any, sync: str) -> None:
    from accord.sql import update

    with Session(engine) as s:
        u = User(id=1, name="a")
        s.add(u)
        sp = s.begin_nested()
        s.execute(update(User).values(name="b").execution_options(synchronize_session=sync))
        assert u.__dict__["name"] == "b"
        sp.rollback()  # the UPDATE is undone: its value must not stay on the object
        assert "name" not in u.__dict__
        assert u.name == "a"


def test_add_cascades_to_objects_removed_from_a_collection(engine: Any) -> None:
    # save-update follows the pending history too: a File taken out of a detached
    # Folder's collection joins the Session with it, so the flush unlinks its row
    with Session(engine) as s:
        s.add(Folder(id=1, files=[File(id=1)]))
        s.commit()
        folder = s.get(Folder, 1)
        assert folder is not None
        f = folder.files[0]
        s.expunge_all()
        folder.files.remove(f)
        s.add(folder)
        assert inspect(f).persistent
        s.commit()
        assert s.scalar(select(File.folder_id)) is None
