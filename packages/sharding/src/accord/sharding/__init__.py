"""Vertical and horizontal sharding: ShardedSession, shard choosers, coordinated commit."""

from __future__ import annotations

from .choosers import HashChooser, LookupChooser, RangeChooser, ShardKeyChooser, stable_hash
from .fanout import (
    OrderKey,
    ShardedDMLResult,
    SortKey,
    limit_offset,
    merge_rows,
    order_keys,
    run_parallel,
)
from .options import SHARD_ID, set_shard_id, shard_id_from
from .session import ShardedSession
from .vertical import CommitMode, CoordinatedSession, choose_commit_mode, commit_mode

__all__ = [
    "CommitMode",
    "CoordinatedSession",
    "HashChooser",
    "LookupChooser",
    "OrderKey",
    "RangeChooser",
    "SHARD_ID",
    "ShardKeyChooser",
    "ShardedDMLResult",
    "ShardedSession",
    "SortKey",
    "choose_commit_mode",
    "commit_mode",
    "limit_offset",
    "merge_rows",
    "order_keys",
    "run_parallel",
    "set_shard_id",
    "shard_id_from",
    "stable_hash",
]
