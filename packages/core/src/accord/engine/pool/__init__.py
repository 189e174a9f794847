"""Connection pools (Queue, Static, Null, Assertion); pre-ping, recycle and invalidation.

``pool.connect()`` checks out a :class:`PoolProxiedConnection`; its ``close()`` resets
(rolls back) the DBAPI connection and checks it in.  Events go through ``pool.dispatch``
(:class:`accord.engine.events.PoolEvents`); logging goes to the ``accord.pool`` logger.
"""

from __future__ import annotations

from .base import Pool, PoolProxiedConnection, PoolResetState
from .impl import AssertionPool, NullPool, QueuePool, StaticPool

__all__ = [
    "AssertionPool",
    "NullPool",
    "Pool",
    "PoolProxiedConnection",
    "PoolResetState",
    "QueuePool",
    "StaticPool",
]
