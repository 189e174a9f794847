"""accord.orm exports the documented public names (sorting and docstrings: test_exports.py)."""

from __future__ import annotations

import pytest

import accord.orm


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
