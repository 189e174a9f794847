"""Tests of accord.event: listen/remove/contains, propagate, once, retval, joins, weak refs."""

from __future__ import annotations

import gc
import threading
import weakref
from typing import Any

import pytest

from accord import event, exc
from accord.event import Events, dispatcher


class SomeEvents(Events):
    """A family for these tests; subclasses see only propagate=True class listeners."""

    _retval_events = {"transform": lambda target, value, flag: value}

    def ping(self, target: Any, x: Any) -> None:
        """A plain event."""

    def pong(self, target: Any) -> None:
        """Another plain event."""

    def transform(self, target: Any, value: Any, flag: Any) -> Any:
        """A retval event: listeners return the new value."""


class InheritingEvents(Events):
    """A family whose class listeners reach subclasses without propagate=True."""

    _subclasses_inherit = True

    def bump(self, target: Any) -> None:
        """A plain event."""


class Target:
    dispatch = dispatcher(SomeEvents)


class SubTarget(Target):
    pass


class Other:
    dispatch = dispatcher(InheritingEvents)


class SubOther(Other):
    pass


@pytest.fixture(autouse=True)
def _clean() -> Any:
    yield
    for cls in (Target, SubTarget, Other, SubOther):
        cls.dispatch._clear()


def recorder(log: list[Any], tag: str) -> Any:
    def fn(*args: Any) -> None:
        log.append((tag, *args[1:]))

    return fn


def test_empty_collection_is_falsy_and_shared() -> None:
    t = Target()
    assert not t.dispatch.ping
    assert list(t.dispatch.ping) == []
    # no listener on the instance: the class's collection object is reused, not copied
    assert t.dispatch.ping is Target.dispatch.ping
    t.dispatch.ping(t, 1)  # calling an empty collection does nothing


def test_listen_on_class_reaches_existing_and_new_instances() -> None:
    log: list[Any] = []
    before = Target()
    assert not before.dispatch.ping
    event.listen(Target, "ping", recorder(log, "cls"))
    after = Target()
    assert before.dispatch.ping
    before.dispatch.ping(before, 1)
    after.dispatch.ping(after, 2)
    assert log == [("cls", 1), ("cls", 2)]


def test_instance_made_after_the_class_collection_was_built_follows_later_changes() -> None:
    log: list[Any] = []
    assert not Target.dispatch.ping  # built (empty) at the class before the instance exists
    t = Target()
    assert t.dispatch.ping is Target.dispatch.ping  # taken over from the class, not rebuilt
    event.listen(Target, "ping", recorder(log, "cls"))
    event.listen(t, "ping", recorder(log, "own"))
    t.dispatch.ping(t, 1)
    event.remove(Target, "ping", Target.dispatch.ping[0])
    t.dispatch.ping(t, 2)
    assert log == [("cls", 1), ("own", 1), ("own", 2)]


def test_instance_listener_does_not_reach_class_or_siblings() -> None:
    log: list[Any] = []
    a, b = Target(), Target()
    event.listen(a, "ping", recorder(log, "a"))
    assert a.dispatch.ping
    assert not b.dispatch.ping
    assert not Target.dispatch.ping


def test_order_class_then_instance_then_insert_first() -> None:
    log: list[Any] = []
    t = Target()
    event.listen(t, "ping", recorder(log, "inst1"))
    event.listen(Target, "ping", recorder(log, "cls"))
    event.listen(t, "ping", recorder(log, "inst2"))
    event.listen(t, "ping", recorder(log, "inst0"), insert=True)
    t.dispatch.ping(t, 0)
    assert [tag for tag, _ in log] == ["cls", "inst0", "inst1", "inst2"]


def test_collection_is_iterable_over_functions_in_order() -> None:
    def f1(target: Any, x: Any) -> None:
        pass

    def f2(target: Any, x: Any) -> None:
        pass

    t = Target()
    event.listen(t, "ping", f1)
    event.listen(t, "ping", f2)
    assert list(t.dispatch.ping) == [f1, f2]
    assert len(t.dispatch.ping) == 2


def test_listens_for_decorator_returns_function() -> None:
    t = Target()

    @event.listens_for(t, "pong")
    def on_pong(target: Any) -> None:
        pass

    assert callable(on_pong)
    assert list(t.dispatch.pong) == [on_pong]


def test_remove_undoes_exactly_one_listen() -> None:
    log: list[Any] = []
    fn = recorder(log, "x")
    t = Target()
    event.listen(t, "ping", fn)
    event.listen(t, "ping", fn)
    event.remove(t, "ping", fn)
    t.dispatch.ping(t, 1)
    assert log == [("x", 1)]
    assert event.contains(t, "ping", fn)
    event.remove(t, "ping", fn)
    assert not t.dispatch.ping
    assert not event.contains(t, "ping", fn)


def test_remove_of_unknown_listener_raises() -> None:
    with pytest.raises(exc.InvalidRequestError, match="No listener"):
        event.remove(Target(), "ping", lambda *a: None)


def test_remove_class_listener_reaches_instances() -> None:
    fn = recorder([], "c")
    t = Target()
    event.listen(Target, "ping", fn)
    assert t.dispatch.ping
    event.remove(Target, "ping", fn)
    assert not t.dispatch.ping


def test_contains_is_per_target() -> None:
    fn = recorder([], "c")
    t = Target()
    event.listen(Target, "ping", fn)
    assert event.contains(Target, "ping", fn)
    assert not event.contains(t, "ping", fn)
    assert not event.contains(Target, "pong", fn)


def test_propagate_controls_subclasses() -> None:
    log: list[Any] = []
    event.listen(Target, "ping", recorder(log, "plain"))
    event.listen(Target, "ping", recorder(log, "prop"), propagate=True)
    sub = SubTarget()
    sub.dispatch.ping(sub, 1)
    SubTarget.dispatch.ping(sub, 2)
    assert log == [("prop", 1), ("prop", 2)]
    # instances of the class itself see both
    log.clear()
    t = Target()
    t.dispatch.ping(t, 3)
    assert [tag for tag, _ in log] == ["plain", "prop"]


def test_propagate_added_later_reaches_existing_subclass_instances() -> None:
    sub = SubTarget()
    assert not sub.dispatch.pong
    fn = recorder([], "p")
    event.listen(Target, "pong", fn, propagate=True)
    assert list(sub.dispatch.pong) == [fn]
    event.remove(Target, "pong", fn)
    assert not sub.dispatch.pong


def test_family_with_inheriting_subclasses() -> None:
    fn = recorder([], "o")
    event.listen(Other, "bump", fn)
    assert list(SubOther().dispatch.bump) == [fn]
    # and the subclass shares the base collection while it has none of its own
    assert SubOther.dispatch.bump is Other.dispatch.bump


def test_once_fires_once() -> None:
    log: list[Any] = []
    t = Target()
    event.listen(t, "ping", recorder(log, "o"), once=True)
    for i in range(3):
        t.dispatch.ping(t, i)
    assert log == [("o", 0)]


def test_once_under_threads_fires_exactly_once() -> None:
    count = 0
    lock = threading.Lock()

    def fn(target: Any, x: Any) -> None:
        nonlocal count
        with lock:
            count += 1

    t = Target()
    event.listen(t, "ping", fn, once=True)
    barrier = threading.Barrier(16)

    def worker() -> None:
        barrier.wait()
        for i in range(50):
            t.dispatch.ping(t, i)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert count == 1


def test_retval_event_passthrough_for_plain_listener() -> None:
    seen: list[Any] = []
    t = Target()
    event.listen(t, "transform", lambda target, value, flag: seen.append(value))
    event.listen(t, "transform", lambda target, value, flag: value * 10, retval=True)
    event.listen(t, "transform", lambda target, value, flag: seen.append(value))
    value = 3
    for fn in t.dispatch.transform:
        value = fn(t, value, None)
    assert value == 30
    assert seen == [3, 30]


def test_once_retval_passes_arguments_through_after_first_call() -> None:
    t = Target()
    event.listen(t, "transform", lambda target, value, flag: value + 1, retval=True, once=True)
    results = []
    for _ in range(2):
        value = 1
        for fn in t.dispatch.transform:
            value = fn(t, value, None)
        results.append(value)
    assert results == [2, 1]


def test_named_listener_receives_keywords() -> None:
    got: dict[str, Any] = {}
    t = Target()

    def fn(**kw: Any) -> None:
        got.update(kw)

    event.listen(t, "ping", fn, named=True)
    t.dispatch.ping(t, 5)
    assert got == {"target": t, "x": 5}
    event.remove(t, "ping", fn)
    assert not t.dispatch.ping


def test_join_sees_class_then_parent_then_own() -> None:
    log: list[Any] = []
    parent = Target()
    child = parent.dispatch._join()
    event.listen(parent, "ping", recorder(log, "parent"))
    event.listen(Target, "ping", recorder(log, "cls"))

    class Holder:
        pass

    holder = Holder()
    holder.dispatch = child  # type: ignore[attr-defined]
    event.listen(holder, "ping", recorder(log, "own"))
    child.ping(holder, 1)
    assert [tag for tag, _ in log] == ["cls", "parent", "own"]
    # the child's own listener did not leak into the parent
    log.clear()
    parent.dispatch.ping(parent, 2)
    assert [tag for tag, _ in log] == ["cls", "parent"]


def test_join_without_own_listeners_shares_parent_collection() -> None:
    parent = Target()
    event.listen(parent, "ping", recorder([], "p"))
    child = parent.dispatch._join()
    assert child.ping is parent.dispatch.ping
    # a listener added to the parent after the child cached the collection is seen
    fn2 = recorder([], "p2")
    event.listen(parent, "ping", fn2)
    assert list(child.ping)[-1] is fn2


def test_update_copies_propagating_listeners_and_remove_takes_copies() -> None:
    a, b = Target(), Target()
    fn_p = recorder([], "p")
    fn_n = recorder([], "n")
    event.listen(a, "ping", fn_p, propagate=True)
    event.listen(a, "ping", fn_n)
    b.dispatch._update(a.dispatch)
    assert list(b.dispatch.ping) == [fn_p]
    event.remove(a, "ping", fn_p)
    assert not b.dispatch.ping
    assert list(a.dispatch.ping) == [fn_n]


def test_iteration_unaffected_by_concurrent_remove() -> None:
    t = Target()
    calls: list[str] = []

    def first(target: Any, x: Any) -> None:
        calls.append("first")
        if event.contains(t, "ping", second):
            event.remove(t, "ping", second)

    def second(target: Any, x: Any) -> None:
        calls.append("second")

    event.listen(t, "ping", first)
    event.listen(t, "ping", second)
    t.dispatch.ping(t, 1)  # the snapshot being iterated still holds `second`
    t.dispatch.ping(t, 2)
    assert calls == ["first", "second", "first"]


def test_listening_does_not_keep_instance_alive() -> None:
    t = Target()
    event.listen(t, "ping", recorder([], "x"))
    event.listen(Target, "ping", recorder([], "y"))
    assert t.dispatch.ping
    ref = weakref.ref(t)
    del t
    gc.collect()
    assert ref() is None


def test_listening_does_not_keep_class_alive() -> None:
    def make() -> weakref.ref[type]:
        class Temp(Target):
            pass

        event.listen(Temp, "ping", recorder([], "t"))
        Temp().dispatch.ping(None, 1)
        return weakref.ref(Temp)

    ref = make()
    gc.collect()
    assert ref() is None


def test_unknown_event_names_valid_ones() -> None:
    with pytest.raises(exc.InvalidRequestError) as info:
        event.listen(Target(), "pnig", lambda *a: None)
    msg = str(info.value)
    assert "'pnig'" in msg
    assert "ping" in msg
    assert "transform" in msg


def test_unsupported_target_is_named() -> None:
    class Plain:
        pass

    with pytest.raises(exc.InvalidRequestError, match="Plain") as info:
        event.listen(Plain(), "ping", lambda *a: None)
    assert "'ping'" in str(info.value)
    with pytest.raises(exc.InvalidRequestError, match="Plain"):
        event.listen(Plain, "no_such_event_anywhere", lambda *a: None)


def test_unknown_listen_keyword_is_an_argument_error() -> None:
    with pytest.raises(exc.ArgumentError, match="bogus"):
        event.listen(Target, "ping", lambda *a: None, bogus=True)


def test_unknown_event_attribute_on_dispatch() -> None:
    with pytest.raises(AttributeError, match="nope"):
        _ = Target().dispatch.nope


def test_concurrent_listen_keeps_every_listener() -> None:
    t = Target()
    fns = [recorder([], str(i)) for i in range(200)]

    def worker(chunk: list[Any]) -> None:
        for fn in chunk:
            event.listen(t, "ping", fn)
            assert t.dispatch.ping

    threads = [threading.Thread(target=worker, args=(fns[i::8],)) for i in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert set(t.dispatch.ping) == set(fns)


def test_slotted_class_without_dict_is_a_clear_error() -> None:
    class Slotted:
        __slots__ = ()
        dispatch = dispatcher(SomeEvents)

    with pytest.raises(TypeError, match="__slots__"):
        _ = Slotted().dispatch


def test_all_is_complete_and_sorted() -> None:
    public = {n for n in vars(event) if not n.startswith("_")} - {
        "annotations",
        "api",
        "base",
        "registry",
    }
    assert set(event.__all__) == public
    assert list(event.__all__) == sorted(event.__all__)


def test_racing_first_access_agrees_on_one_dispatch() -> None:
    for _ in range(20):
        t = Target()
        fns = [recorder([], str(i)) for i in range(8)]
        barrier = threading.Barrier(8)

        def worker(fn: Any, t: Target = t, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            event.listen(t, "ping", fn)

        threads = [threading.Thread(target=worker, args=(fn,)) for fn in fns]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert set(t.dispatch.ping) == set(fns)
