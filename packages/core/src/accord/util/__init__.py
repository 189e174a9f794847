"""Small helpers shared by every layer: dependency sorting and memoized attributes."""

from __future__ import annotations

from accord.util.memo import memoized_property
from accord.util.topological import CycleFoundError, find_cycles, sort, sort_as_subsets

__all__ = [
    "CycleFoundError",
    "find_cycles",
    "memoized_property",
    "sort",
    "sort_as_subsets",
]
