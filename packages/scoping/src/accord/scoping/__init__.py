"""Scoped sessions for accord: one Session per thread, per asyncio task, or per custom scope."""

from __future__ import annotations

from .query_property import QueryPropertyDescriptor, query_property
from .registry import ContextVarRegistry, ScopedRegistry, ThreadLocalRegistry
from .scoped import scoped_session

__all__ = [
    "ContextVarRegistry",
    "QueryPropertyDescriptor",
    "ScopedRegistry",
    "ThreadLocalRegistry",
    "query_property",
    "scoped_session",
]
