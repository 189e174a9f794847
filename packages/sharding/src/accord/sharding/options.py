"""Statement options that pin a query to one shard: ``set_shard_id`` and the option keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.orm import UserDefinedOption

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["SHARD_ID", "set_shard_id", "shard_id_from"]

SHARD_ID = "shard_id"
"""The key naming a shard in ``execution_options()`` and in ``bind_arguments``."""


class set_shard_id(UserDefinedOption):  # SQLAlchemy's (lowercase) name
    """``select(...).options(set_shard_id("eu"))``: run the statement on that shard only.

    Relationship loads of the objects it returns go to the same shard, as they always do
    for objects loaded from a shard (their identity token names it).
    """

    __slots__ = ("propagate_to_loaders", "shard_id")

    def __init__(self, shard_id: Any, propagate_to_loaders: bool = True) -> None:
        super().__init__(shard_id)
        self.shard_id = shard_id
        self.propagate_to_loaders = propagate_to_loaders

    def __repr__(self) -> str:
        return f"set_shard_id({self.shard_id!r})"


def shard_id_from(
    options: Iterable[Any],
    execution_options: Mapping[str, Any] | None = None,
    bind_arguments: Mapping[str, Any] | None = None,
) -> Any:
    """The shard a statement is pinned to, or None.

    ``bind_arguments["shard_id"]`` wins over ``execution_options(shard_id=...)``, which
    wins over a ``set_shard_id()`` statement option.
    """
    if bind_arguments and bind_arguments.get(SHARD_ID) is not None:
        return bind_arguments[SHARD_ID]
    if execution_options and execution_options.get(SHARD_ID) is not None:
        return execution_options[SHARD_ID]
    for option in options:
        if isinstance(option, set_shard_id):
            return option.shard_id
    return None
