"""accord.orm and its modules export sorted, complete ``__all__`` lists with docstrings."""

from __future__ import annotations

import importlib

import pytest

import accord.orm

MODULES = [
    "accord.orm.attributes",
    "accord.orm.base",
    "accord.orm.declarative",
    "accord.orm.events",
    "accord.orm.identity",
    "accord.orm.instrumentation",
    "accord.orm.mapper",
    "accord.orm.properties",
    "accord.orm.state",
    "accord.orm.util",
]


def test_orm_all_is_sorted_and_importable() -> None:
    names = accord.orm.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(accord.orm, name) is not None, name


@pytest.mark.parametrize(
    "name",
    [
        "DeclarativeBase",
        "Mapped",
        "mapped_column",
        "registry",
        "deferred",
        "column_property",
        "Mapper",
        "InstanceState",
        "IdentityMap",
        "History",
        "get_history",
        "set_committed_value",
        "flag_modified",
        "flag_dirty",
        "del_attribute",
        "get_attribute",
        "set_attribute",
        "init_collection",
        "is_instrumented",
        "instance_state",
        "object_state",
        "was_deleted",
        "identity_key",
        "NO_VALUE",
        "NEVER_SET",
    ],
)
def test_documented_names_are_exported(name: str) -> None:
    assert name in accord.orm.__all__


@pytest.mark.parametrize("modname", MODULES)
def test_module_all_is_sorted_and_defined(modname: str) -> None:
    module = importlib.import_module(modname)
    names = module.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(module, name), f"{modname}.{name}"


def test_public_names_have_docstrings() -> None:
    for name in accord.orm.__all__:
        obj = getattr(accord.orm, name)
        if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__code__")):
            assert obj.__doc__, name
