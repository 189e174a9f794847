"""InstanceState, inspect(), the identity map and identity keys, and the seams for the Session."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.inspection import inspect
from accord.orm import (
    NO_VALUE,
    DeclarativeBase,
    History,
    IdentityMap,
    InstanceState,
    Mapped,
    ObjectState,
    class_mapper,
    identity_key,
    instance_state,
    mapped_column,
    object_mapper,
    object_state,
    set_committed_value,
    was_deleted,
)
from accord.orm import state as state_mod
from accord.orm.base import ATTR_WAS_SET
from accord.sql import Text

if TYPE_CHECKING:
    from collections.abc import Iterator


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    fullname: Mapped[str | None]
    bio: Mapped[str | None] = mapped_column(Text, deferred=True)


class Pair(Base):
    __tablename__ = "pair"

    a: Mapped[int] = mapped_column(primary_key=True)
    b: Mapped[str] = mapped_column(primary_key=True)


class FakeSession:
    """Stands in for a Session: registered in the session registry by id."""

    def __init__(self) -> None:
        self.hash_key = id(self)
        state_mod._sessions[self.hash_key] = self


def _loaded(name: str = "ann", id_: int = 1) -> User:
    """A User as a loader would build it: values committed, identity key set."""
    user = class_mapper(User).class_manager.new_instance()
    for key, value in (("id", id_), ("name", name), ("fullname", None)):
        set_committed_value(user, key, value)
    state = instance_state(user)
    state.key = identity_key(User, id_)
    return user


@pytest.fixture
def loader() -> Iterator[list[tuple[InstanceState, frozenset[str]]]]:
    """Install a scalar loader hook that 'loads' every requested key as 'loaded <key>'."""
    calls: list[tuple[InstanceState, frozenset[str]]] = []

    def load(state: InstanceState, keys: frozenset[str], passive: int) -> Any:
        calls.append((state, keys))
        d = state.dict
        for key in keys:
            d[key] = f"loaded {key}"
        state._commit(d, keys)
        return ATTR_WAS_SET

    previous = InstanceState._scalar_loader  # the Session's hook, restored afterwards
    InstanceState._scalar_loader = load
    yield calls
    InstanceState._scalar_loader = previous


# -- inspect() ---------------------------------------------------------------------------


def test_inspect_instance_gives_its_state() -> None:
    user = User(name="a")
    state = inspect(user)
    assert isinstance(state, InstanceState)
    assert state is instance_state(user) is object_state(user)
    assert state.obj() is user
    assert state.object is user
    assert state.class_ is User
    assert state.mapper is inspect(User) is class_mapper(User) is object_mapper(user)
    assert state.dict is user.__dict__
    assert state.key is None
    assert state.identity is None
    assert state.session is None
    assert state.session_id is None


def test_state_is_created_lazily_and_once() -> None:
    user = User.__new__(User)  # no __init__ at all
    assert "_accord_state" not in user.__dict__
    state = inspect(user)
    assert user.__dict__["_accord_state"] is state
    assert inspect(user) is state


def test_unmapped_errors() -> None:
    class Plain:
        pass

    with pytest.raises(exc.NoInspectionAvailable):
        inspect(Plain())
    with pytest.raises(exc.UnmappedInstanceError, match="Plain"):
        object_state(Plain())
    with pytest.raises(exc.UnmappedInstanceError):
        object_mapper(Plain())
    with pytest.raises(exc.UnmappedClassError, match="Plain"):
        class_mapper(Plain)


# -- the five states -----------------------------------------------------------------------


def test_lifecycle_flags_follow_key_and_session() -> None:
    user = User(name="a")
    state = inspect(user)
    assert state.transient
    assert state.status is ObjectState.TRANSIENT
    sess = FakeSession()
    state.session_id = sess.hash_key
    assert state.pending
    assert state.status is ObjectState.PENDING
    assert state.session is sess
    state.key = identity_key(User, 1)
    assert state.persistent
    assert state.has_identity
    assert state.identity == (1,)
    assert state.identity_token is None
    state._deleted = True
    assert state.deleted
    assert state.was_deleted
    assert was_deleted(user)
    state._detach()
    assert state.detached
    assert state.was_deleted
    state._deleted = False
    assert state.detached
    assert state.status is ObjectState.DETACHED
    # a session that went away detaches its objects
    state.session_id = sess.hash_key
    assert state.persistent
    del sess
    gc.collect()
    assert state.detached
    only_one = [state.transient, state.pending, state.persistent, state.deleted, state.detached]
    assert only_one.count(True) == 1


# -- attrs, modified, unloaded -------------------------------------------------------------


def test_attrs_history_value_and_loaded_value() -> None:
    user = _loaded()
    state = inspect(user)
    assert list(state.attrs.keys()) == ["id", "name", "fullname", "bio"]
    assert state.attrs.name.value == "ann"
    assert state.attrs["name"].loaded_value == "ann"
    assert state.attrs.bio.loaded_value is NO_VALUE
    assert state.attrs.name.history == History((), ["ann"], ())
    assert not state.modified
    user.name = "bob"
    assert state.attrs.name.history == History(["bob"], (), ["ann"])
    assert state.modified
    assert state.unmodified == {"id", "fullname", "bio"}
    assert state.unloaded == {"bio"}
    with pytest.raises(KeyError):
        state.attrs["nope"]
    with pytest.raises(AttributeError):
        state.attrs.nope  # noqa: B018


def test_commit_all_makes_present_values_committed() -> None:
    user = _loaded()
    user.name = "bob"
    state = inspect(user)
    state._commit_all(state.dict)
    assert not state.modified
    assert state.committed_state == {}
    assert state.attrs.name.history == History((), ["bob"], ())


def test_expire_drops_values_and_loads_them_through_the_hook(loader: list[Any]) -> None:
    user = _loaded()
    state = inspect(user)
    user.name = "pending change"
    state._expire(state.dict, set())
    assert state.expired
    assert not state.modified
    assert state.committed_state == {}
    assert state.expired_attributes == {"id", "name", "fullname"}  # bio was never loaded
    assert "name" not in user.__dict__
    assert state.unloaded == {"id", "name", "fullname", "bio"}
    # the first access loads every expired (non-deferred) attribute at once
    assert user.fullname == "loaded fullname"
    assert loader == [(state, frozenset({"id", "name", "fullname"}))]
    assert state.expired_attributes == set()
    assert not state.expired
    assert user.name == "loaded name"
    assert len(loader) == 1


def test_deferred_attribute_loads_on_access(loader: list[Any]) -> None:
    user = _loaded()
    assert "bio" not in user.__dict__
    assert user.bio == "loaded bio"
    assert loader == [(inspect(user), frozenset({"bio"}))]


def test_expire_named_attributes(loader: list[Any]) -> None:
    user = _loaded()
    state = inspect(user)
    user.name = "x"
    state._expire_attributes(state.dict, ["name"])
    assert state.expired_attributes == {"name"}
    assert not state.modified  # its only change was discarded
    assert user.name == "loaded name"


def test_unloaded_attribute_without_a_loader_is_a_detached_error() -> None:
    user = _loaded()
    inspect(user)._expire_attributes(user.__dict__, ["name"])
    with pytest.raises(exc.DetachedInstanceError, match="'name'"):
        user.name  # noqa: B018


def test_transient_and_pending_objects_never_load(loader: list[Any]) -> None:
    user = User()
    assert user.bio is None
    assert user.name is None
    assert loader == []


# -- the identity map ----------------------------------------------------------------------


def test_identity_map_add_get_contains_discard() -> None:
    imap = IdentityMap()
    user = _loaded()
    state = inspect(user)
    key = (User, (1,), None)
    assert imap.add(state) is True
    assert imap.add(state) is False  # already there
    assert key in imap
    assert imap.get(key) is user
    assert imap[key] is user
    assert imap.get((User, (2,), None)) is None
    assert imap.all_states() == [state]
    assert imap.keys() == [key]
    assert imap.values() == [user]
    assert imap.items() == [(key, user)]
    assert len(imap) == 1
    assert imap.contains_state(state)
    with pytest.raises(KeyError):
        imap[(User, (2,), None)]
    other = _loaded(name="twin")
    with pytest.raises(exc.InvalidRequestError, match="already present"):
        imap.add(inspect(other))
    imap.discard(state)
    assert key not in imap
    assert len(imap) == 0
    with pytest.raises(exc.InvalidRequestError, match="no identity key"):
        imap.add(inspect(User()))


def test_identity_map_holds_unmodified_objects_weakly() -> None:
    imap = IdentityMap()
    user = _loaded()
    key = inspect(user).key
    imap.add(inspect(user))
    assert key in imap
    del user
    gc.collect()
    assert key not in imap
    assert len(imap) == 0


def test_identity_map_keeps_modified_objects_until_committed() -> None:
    imap = IdentityMap()
    user = _loaded()
    state = inspect(user)
    key = state.key
    imap.add(state)
    user.name = "changed"
    assert imap._modified == {state}
    assert imap.check_modified()
    del user
    gc.collect()
    kept = imap.get(key)
    assert kept is not None
    assert kept.name == "changed"
    # once the change is committed (after a flush) the map lets go again
    inspect(kept)._commit_all(inspect(kept).dict, imap)
    assert imap._modified == set()
    del kept
    gc.collect()
    assert key not in imap


def test_object_modified_before_being_added_is_held_strongly() -> None:
    imap = IdentityMap()
    user = _loaded()
    user.name = "changed"
    imap.add(inspect(user))
    key = inspect(user).key
    del user
    gc.collect()
    assert key in imap


def test_replace_and_clear() -> None:
    imap = IdentityMap()
    first = _loaded()
    imap.add(inspect(first))
    second = _loaded(name="second")
    assert imap.replace(inspect(second)) is inspect(first)
    assert imap.get((User, (1,), None)) is second
    imap.clear()
    assert len(imap) == 0


# -- identity keys -------------------------------------------------------------------------


def test_identity_key_forms() -> None:
    assert identity_key(User, 5) == (User, (5,), None)
    assert identity_key(User, (5,)) == (User, (5,), None)
    assert identity_key(User, 5, identity_token="shard1") == (User, (5,), "shard1")
    assert identity_key(Pair, (1, "x")) == (Pair, (1, "x"), None)
    assert identity_key(instance=Pair(a=2, b="y")) == (Pair, (2, "y"), None)
    row = {Pair.__table__.c.a: 3, Pair.__table__.c.b: "z"}
    assert identity_key(Pair, row=row) == (Pair, (3, "z"), None)
    with pytest.raises(exc.ArgumentError):
        identity_key()
    with pytest.raises(exc.UnmappedClassError):
        identity_key(int, 1)


# -- pickling ------------------------------------------------------------------------------


def test_pickled_object_keeps_values_identity_and_changes() -> None:
    import pickle

    user = _loaded(name="ann", id_=7)
    user.name = "bob"
    state = inspect(user)
    state.session_id = FakeSession().hash_key
    copy = pickle.loads(pickle.dumps(user))
    cstate = inspect(copy)
    assert cstate is not state
    assert cstate.obj() is copy
    assert copy.name == "bob"
    assert copy.id == 7
    assert cstate.key == (User, (7,), None)
    assert cstate.detached  # no session travels with it
    assert cstate.attrs.name.history == History(["bob"], (), ["ann"])
    assert cstate.modified
    fresh = pickle.loads(pickle.dumps(User(name="t")))
    assert inspect(fresh).transient
    assert fresh.name == "t"


def test_a_value_set_after_expiry_is_not_reloaded(loader: list[Any]) -> None:
    user = _loaded()
    state = inspect(user)
    state._expire(state.dict, set())
    user.name = "mine"
    assert user.fullname == "loaded fullname"
    assert loader == [(state, frozenset({"id", "fullname"}))]
    assert user.name == "mine"
    assert state.attrs.name.history == History(["mine"], (), ())


def test_a_deleted_persistent_value_reads_none_without_loading(loader: list[Any]) -> None:
    user = _loaded()
    del user.name
    assert user.name is None
    assert loader == []
    assert inspect(user).attrs.name.history == History((), (), ["ann"])


def test_inspect_of_an_attribute_is_the_attribute() -> None:
    assert inspect(User.name) is User.name
    assert inspect(User.name).parent is inspect(User)
