"""Instrumented attributes: history, the S10 helpers and attribute events."""

from __future__ import annotations

from typing import Any

import pytest

from accord import event, exc
from accord.orm import (
    NO_VALUE,
    DeclarativeBase,
    History,
    Mapped,
    del_attribute,
    flag_dirty,
    flag_modified,
    get_attribute,
    get_history,
    init_collection,
    instance_state,
    is_instrumented,
    mapped_column,
    set_attribute,
    set_committed_value,
)
from accord.orm.base import PASSIVE_NO_INITIALIZE
from accord.sql import JSON


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    note: Mapped[str | None]
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


# -- History -----------------------------------------------------------------------------


def test_history_tuple_helpers() -> None:
    h = History(["new"], (), ["old"])
    assert h.added == ["new"]
    assert h.unchanged == ()
    assert h.deleted == ["old"]
    assert h.has_changes()
    assert not h.empty()
    assert h
    assert h.sum() == ["new", "old"]
    assert h.non_added() == ["old"]
    assert h.non_deleted() == ["new"]
    blank = History((), (), ())
    assert blank.empty()
    assert not blank.has_changes()
    assert not blank
    same = History((), ["x"], ())
    assert not same.has_changes()
    assert not same.empty()
    assert History(*same) == same  # still a plain named tuple


def test_history_of_a_transient_object() -> None:
    item = Item()
    assert get_history(item, "name") == History((), (), ())
    assert item.name is None  # reading an unset scalar gives None ...
    assert "name" not in item.__dict__  # ... without storing it
    item.name = "a"
    assert get_history(item, "name") == History(["a"], (), ())
    item.name = "b"
    assert get_history(item, "name") == History(["b"], (), ())
    del item.name
    # set then deleted with nothing committed: the row would hold NULL
    assert get_history(item, "name") == History([None], (), ())


def test_history_after_set_committed_value() -> None:
    item = Item()
    set_committed_value(item, "name", "loaded")
    assert item.name == "loaded"
    assert get_history(item, "name") == History((), ["loaded"], ())
    assert not instance_state(item).modified
    item.name = "changed"
    assert get_history(item, "name") == History(["changed"], (), ["loaded"])
    assert instance_state(item).modified
    assert instance_state(item).committed_state == {"name": "loaded"}
    item.name = "again"  # the snapshot is taken on the first change only
    assert get_history(item, "name") == History(["again"], (), ["loaded"])
    item.name = "loaded"  # back to the committed value: unchanged
    assert get_history(item, "name") == History((), ["loaded"], ())


def test_history_after_delete_of_a_committed_value() -> None:
    item = Item()
    set_committed_value(item, "note", "n")
    del item.note
    assert get_history(item, "note") == History((), (), ["n"])
    assert "note" not in item.__dict__
    assert item.note is None


def test_set_none_over_a_committed_value() -> None:
    item = Item()
    set_committed_value(item, "note", "n")
    item.note = None
    assert get_history(item, "note") == History([None], (), ["n"])


def test_set_committed_value_resets_a_pending_change() -> None:
    item = Item()
    item.name = "pending"
    set_committed_value(item, "name", "db")
    assert get_history(item, "name") == History((), ["db"], ())
    assert "name" not in instance_state(item).committed_state


def test_delete_of_an_attribute_with_no_value_is_an_attribute_error() -> None:
    item = Item()
    with pytest.raises(AttributeError, match=r"Item\.name"):
        del item.name
    assert not instance_state(item).modified


def test_get_set_del_attribute_helpers() -> None:
    item = Item()
    set_attribute(item, "name", "x")
    assert get_attribute(item, "name") == "x"
    assert get_history(item, "name").added == ["x"]
    del_attribute(item, "name")
    assert get_attribute(item, "name") is None
    with pytest.raises(exc.InvalidRequestError, match="no mapped attribute 'nope'"):
        set_attribute(item, "nope", 1)
    with pytest.raises(exc.UnmappedInstanceError):
        get_history(object(), "name")


def test_is_instrumented() -> None:
    item = Item()
    assert is_instrumented(item, "name")
    assert not is_instrumented(item, "other")
    assert not is_instrumented(object(), "name")


def test_flag_modified_marks_a_mutated_value_changed() -> None:
    item = Item()
    set_committed_value(item, "data", {"a": 1})
    item.data["b"] = 2  # an in-place change is invisible to the attribute ...
    assert not get_history(item, "data").has_changes()
    flag_modified(item, "data")  # ... until flagged
    hist = get_history(item, "data")
    assert hist.added == [{"a": 1, "b": 2}]
    assert hist.has_changes()
    assert instance_state(item).modified


def test_flag_modified_needs_a_loaded_value() -> None:
    with pytest.raises(exc.InvalidRequestError, match="not loaded"):
        flag_modified(Item(), "data")


def test_flag_dirty_marks_the_object_only() -> None:
    item = Item()
    set_committed_value(item, "name", "x")
    flag_dirty(item)
    state = instance_state(item)
    assert state.modified
    assert state.committed_state == {}
    assert not get_history(item, "name").has_changes()


def test_init_collection_is_for_collections() -> None:
    with pytest.raises(exc.InvalidRequestError, match="not a collection"):
        init_collection(Item(), "name")


def test_history_without_loading() -> None:
    item = Item()
    set_committed_value(item, "name", "x")
    assert instance_state(item).get_history("name", PASSIVE_NO_INITIALIZE) == History(
        (), ["x"], ()
    )
    assert instance_state(item).attrs.note.history == History((), (), ())


def test_constructor_keywords_are_tracked_as_changes() -> None:
    item = Item(id=1, name="a")
    state = instance_state(item)
    assert state.committed_state == {"id": NO_VALUE, "name": NO_VALUE}
    assert get_history(item, "id") == History([1], (), ())


# -- attribute events --------------------------------------------------------------------


class EvBase(DeclarativeBase):
    pass


class Doc(EvBase):
    __tablename__ = "doc"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    body: Mapped[str | None]
    rank: Mapped[int] = mapped_column(default=0)


def test_set_event_receives_object_value_old_value_and_initiator() -> None:
    seen: list[tuple[Any, ...]] = []

    def on_set(target: Any, value: Any, oldvalue: Any, initiator: Any) -> None:
        seen.append((target, value, oldvalue, initiator.key, initiator.op))

    event.listen(Doc.title, "set", on_set)
    try:
        d = Doc()
        d.title = "one"
        d.title = "two"
        assert seen == [(d, "one", NO_VALUE, "title", "set"), (d, "two", "one", "title", "set")]
        assert d.title == "two"  # a listener without retval=True does not change the value
        assert event.contains(Doc.title, "set", on_set)
    finally:
        event.remove(Doc.title, "set", on_set)
    d.title = "three"
    assert len(seen) == 2
    assert not event.contains(Doc.title, "set", on_set)


def test_set_event_with_retval_changes_the_value() -> None:
    def upper(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
        return value.upper()

    event.listen(Doc.title, "set", upper, retval=True)
    try:
        d = Doc(title="hello")
        assert d.title == "HELLO"
        assert get_history(d, "title").added == ["HELLO"]
        set_attribute(d, "title", "again")
        assert d.title == "AGAIN"
        set_committed_value(d, "title", "raw")  # loading bypasses events
        assert d.title == "raw"
    finally:
        event.remove(Doc.title, "set", upper)
    d.title = "plain"
    assert d.title == "plain"


def test_set_event_raw_receives_the_state_and_other_attributes_are_unaffected() -> None:
    got: list[Any] = []
    event.listen(Doc.body, "set", lambda *a: got.append(a[0]), raw=True)
    d = Doc()
    d.title = "t"
    assert got == []
    d.body = "b"
    assert got == [instance_state(d)]


def test_init_scalar_event_supplies_a_default_on_first_read() -> None:
    def init(target: Any, value: Any, dict_: dict[str, Any]) -> Any:
        dict_["rank"] = 5  # make the default the object's value
        return 5

    event.listen(Doc.rank, "init_scalar", init, retval=True)
    try:
        d = Doc()
        assert d.rank == 5
        assert d.__dict__["rank"] == 5
        assert get_history(d, "rank") == History((), [5], ())
    finally:
        event.remove(Doc.rank, "init_scalar", init)
    assert Doc().rank is None


def test_remove_and_modified_events() -> None:
    calls: list[str] = []
    event.listen(Doc.body, "remove", lambda t, v, i: calls.append(f"remove {v}"))
    event.listen(Doc.body, "modified", lambda t, i: calls.append(f"modified {i.key}"))
    d = Doc(body="x")
    del d.body
    set_committed_value(d, "body", "y")
    flag_modified(d, "body")
    assert calls == ["remove x", "modified body"]


def test_active_history_loads_old_value_for_set_events() -> None:
    olds: list[Any] = []
    event.listen(Doc.id, "set", lambda t, v, o, i: olds.append(o), active_history=True)
    assert Doc.id.impl.active_history
    d = Doc()
    d.id = 1
    assert olds == [NO_VALUE]


def test_unknown_event_and_bad_target() -> None:
    with pytest.raises(exc.InvalidRequestError, match="no_such_event"):
        event.listen(Doc.title, "no_such_event", lambda *a: None)
