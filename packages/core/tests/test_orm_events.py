"""Mapper and instance events: targets, fan-out from unmapped bases, init/expire/pickle."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from accord import event, exc
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Mapper, instance_state, mapped_column
from accord.orm.events import InstanceEvents, MapperEvents


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


def test_families_are_exported() -> None:
    assert "before_insert" in MapperEvents._event_names
    assert "load" in InstanceEvents._event_names


def test_mapper_event_on_a_class_lands_on_its_mapper() -> None:
    calls: list[Any] = []

    def fn(mapper: Any, connection: Any, target: Any) -> None:
        calls.append((mapper, connection, target))

    event.listen(Note, "before_insert", fn)
    try:
        assert event.contains(inspect(Note), "before_insert", fn)
        note = Note(text="x")
        # the unit of work fires it like this
        inspect(Note).dispatch.before_insert(inspect(Note), "conn", note)
        assert calls == [(inspect(Note), "conn", note)]
    finally:
        event.remove(Note, "before_insert", fn)
    assert not inspect(Note).dispatch.before_insert


def test_raw_persistence_listener_gets_the_state() -> None:
    got: list[Any] = []
    event.listen(Note, "after_update", lambda m, c, t: got.append(t), raw=True)
    note = Note(text="x")
    inspect(Note).dispatch.after_update(inspect(Note), None, note)
    assert got == [instance_state(note)]


def test_listener_on_mapper_class_and_on_unmapped_base_reach_new_mappers() -> None:
    seen: list[str] = []

    class Mixin:
        pass

    class LBase(DeclarativeBase):
        pass

    def on_mapper_class(mapper: Any, class_: type) -> None:
        seen.append(f"all {class_.__name__}")

    def on_mixin(mapper: Any, class_: type) -> None:
        seen.append(f"mixin {class_.__name__}")

    def on_insert(mapper: Any, connection: Any, target: Any) -> None:
        seen.append(f"insert {type(target).__name__}")

    event.listen(Mapper, "mapper_configured", on_mapper_class)
    event.listen(Mixin, "mapper_configured", on_mixin, propagate=True)
    event.listen(LBase, "before_insert", on_insert, propagate=True)
    try:

        class WithMixin(Mixin, LBase):
            __tablename__ = "with_mixin"
            id: Mapped[int] = mapped_column(primary_key=True)

        class Without(LBase):
            __tablename__ = "without"
            id: Mapped[int] = mapped_column(primary_key=True)

        assert seen == ["all WithMixin", "mixin WithMixin", "all Without"]
        inspect(Without).dispatch.before_insert(inspect(Without), None, Without())
        assert seen[-1] == "insert Without"
    finally:
        event.remove(Mapper, "mapper_configured", on_mapper_class)
        event.remove(Mixin, "mapper_configured", on_mixin)
        event.remove(LBase, "before_insert", on_insert)
    assert not inspect(Without).dispatch.before_insert


def test_listener_on_base_reaches_existing_mapped_subclasses() -> None:
    calls: list[Any] = []

    def fn(mapper: Any, connection: Any, target: Any) -> None:
        calls.append(target)

    event.listen(Base, "after_delete", fn, propagate=True)
    try:
        note = Note(text="x")
        inspect(Note).dispatch.after_delete(inspect(Note), None, note)
        assert calls == [note]
    finally:
        event.remove(Base, "after_delete", fn)
    assert not inspect(Note).dispatch.after_delete


def test_init_and_init_failure_wrap_the_constructor_only_when_listened() -> None:
    class IBase(DeclarativeBase):
        pass

    class Thing(IBase):
        __tablename__ = "thing"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str]

    original_init = Thing.__init__
    seen: list[Any] = []

    def on_init(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        kwargs.setdefault("name", "default name")  # kwargs may be changed in place
        seen.append(("init", type(target).__name__))

    def on_failure(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        seen.append(("failure", sorted(kwargs)))

    assert Thing.__init__ is original_init
    event.listen(Thing, "init", on_init)
    event.listen(Thing, "init_failure", on_failure)
    assert Thing.__init__ is not original_init
    thing = Thing(id=1)
    assert thing.name == "default name"
    with pytest.raises(TypeError):
        Thing(bogus=1)
    assert seen == [("init", "Thing"), ("init", "Thing"), ("failure", ["bogus", "name"])]
    event.remove(Thing, "init", on_init)
    assert Thing(name="n").name == "n"


def test_expire_and_pickle_events() -> None:
    calls: list[Any] = []
    event.listen(Note, "expire", lambda t, attrs: calls.append(("expire", attrs)))
    event.listen(Note, "pickle", lambda t, d: calls.append(("pickle", d["key"])))
    event.listen(Note, "unpickle", lambda t, d: calls.append(("unpickle", type(t).__name__)))
    note = Note(id=1, text="x")
    state = instance_state(note)
    state._expire_attributes(state.dict, ["text"])
    state._expire(state.dict, set())
    pickle.loads(pickle.dumps(note))
    assert calls == [
        ("expire", {"text"}),
        ("expire", None),
        ("pickle", None),
        ("unpickle", "Note"),
    ]


def test_bad_targets() -> None:
    with pytest.raises(exc.InvalidRequestError):
        event.listen(object(), "before_insert", lambda *a: None)
    with pytest.raises(exc.InvalidRequestError, match="no_such"):
        event.listen(Note, "no_such", lambda *a: None)
