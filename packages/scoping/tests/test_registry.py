"""ScopedRegistry, ThreadLocalRegistry and ContextVarRegistry on plain objects."""

from __future__ import annotations

import asyncio
import itertools
import threading
from concurrent.futures import ThreadPoolExecutor

from accord.scoping import ContextVarRegistry, ScopedRegistry, ThreadLocalRegistry


def counter() -> itertools.count[int]:
    return itertools.count(1)


def test_scoped_registry_one_object_per_scope_key() -> None:
    made = counter()
    scope = ["a"]
    reg = ScopedRegistry(lambda: next(made), lambda: scope[0])
    assert not reg.has()
    assert reg() == 1
    assert reg() == 1
    assert reg.has()
    scope[0] = "b"
    assert not reg.has()
    assert reg() == 2
    scope[0] = "a"
    assert reg() == 1


def test_scoped_registry_set_and_clear_touch_only_the_current_scope() -> None:
    scope = ["a"]
    reg = ScopedRegistry(lambda: 0, lambda: scope[0])
    reg.set(10)
    scope[0] = "b"
    reg.set(20)
    reg.clear()
    assert not reg.has()
    reg.clear()  # clearing an empty scope is fine
    scope[0] = "a"
    assert reg() == 10


def test_thread_local_registry_one_object_per_thread() -> None:
    made = counter()
    lock = threading.Lock()

    def create() -> int:
        with lock:
            return next(made)

    reg = ThreadLocalRegistry(create)
    mine = reg()
    barrier = threading.Barrier(8)

    def work() -> tuple[bool, int, int]:
        had = reg.has()
        first = reg()
        barrier.wait()  # all threads alive at once: no thread ident is reused
        return had, first, reg()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: work(), range(8)))
    assert all(not had and first == again for had, first, again in results)
    assert len({first for _, first, _ in results} | {mine}) == 9
    assert reg() == mine
    reg.clear()
    assert not reg.has()
    reg.clear()
    reg.set(99)
    assert reg() == 99


def test_context_var_registry_one_object_per_task() -> None:
    made = counter()
    reg = ContextVarRegistry(lambda: next(made))

    async def task() -> tuple[int, int]:
        first = reg()
        await asyncio.sleep(0)  # let the other tasks run in between
        return first, reg()

    async def main() -> list[tuple[int, int]]:
        return await asyncio.gather(*(task() for _ in range(100)))

    results = asyncio.run(main())
    assert all(first == again for first, again in results)
    assert len({first for first, _ in results}) == 100


def test_context_var_registry_set_in_one_task_does_not_reach_its_siblings() -> None:
    reg: ContextVarRegistry[str] = ContextVarRegistry(lambda: "made")
    a_has_set = asyncio.Event()
    seen: dict[str, object] = {}

    async def a() -> None:
        reg.set("a's")
        a_has_set.set()
        await asyncio.sleep(0)
        seen["a"] = reg()

    async def b() -> None:
        await a_has_set.wait()
        seen["b has"] = reg.has()
        seen["b"] = reg()

    async def main() -> None:
        # b's task is created before a sets its value; the parent never sees it either
        await asyncio.gather(a(), b())
        seen["parent has"] = reg.has()

    asyncio.run(main())
    assert seen == {"a": "a's", "b has": False, "b": "made", "parent has": False}


def test_context_var_registry_child_task_does_not_inherit_the_parent_object() -> None:
    made = counter()
    reg = ContextVarRegistry(lambda: next(made))

    async def child() -> tuple[bool, int]:
        return reg.has(), reg()

    async def main() -> tuple[int, tuple[bool, int], int]:
        parent = reg()
        # the child task runs in a copy of the parent's context holding the parent's value
        got = await asyncio.create_task(child())
        return parent, got, reg()

    parent, (child_had, child_obj), parent_again = asyncio.run(main())
    assert parent == parent_again == 1
    assert not child_had
    assert child_obj == 2


def test_context_var_registry_one_object_per_thread() -> None:
    made = counter()
    lock = threading.Lock()

    def create() -> int:
        with lock:
            return next(made)

    reg = ContextVarRegistry(create)
    mine = reg()

    async def in_thread() -> tuple[bool, int]:
        # asyncio.to_thread copies this task's context into the worker thread
        return await asyncio.to_thread(lambda: (reg.has(), reg()))

    async def main() -> tuple[int, tuple[bool, int]]:
        return reg(), await in_thread()

    task_obj, (thread_had, thread_obj) = asyncio.run(main())
    with ThreadPoolExecutor(4) as pool:
        others = set(pool.map(lambda _: reg(), range(4)))
    assert not thread_had
    assert len({mine, task_obj, thread_obj}) == 3
    assert mine not in others
    assert reg() == mine
    reg.clear()
    assert not reg.has()
    reg.clear()


def test_context_var_registry_siblings_stay_apart_after_the_parent_used_it() -> None:
    # the parent's use first: a registry keeping a mutable holder in the parent's context
    # would hand that one holder to every task copied from it
    reg: ContextVarRegistry[str] = ContextVarRegistry(lambda: "made")
    seen: dict[str, str] = {}

    async def sibling(name: str, ready: asyncio.Event, other: asyncio.Event) -> None:
        reg.set(name)
        ready.set()
        await other.wait()  # the other sibling has set its own value by now
        seen[name] = reg()

    async def main() -> str:
        parent = reg()
        a, b = asyncio.Event(), asyncio.Event()
        await asyncio.gather(sibling("a", a, b), sibling("b", b, a))
        return parent + "/" + reg()

    assert asyncio.run(main()) == "made/made"
    assert seen == {"a": "a", "b": "b"}
