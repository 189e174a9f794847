"""Engines, connections, transactions, results and URLs."""

from __future__ import annotations

from .base import Connection, Engine, OptionEngine
from .create import create_engine, engine_from_config
from .default import DefaultDialect, DefaultExecutionContext
from .interfaces import Dialect, ExecutionContext
from .result import (
    CursorResult,
    FrozenResult,
    IteratorResult,
    MappingResult,
    Result,
    ScalarResult,
    TupleResult,
)
from .row import ResultMetaData, Row, RowMapping, result_tuple
from .transaction import NestedTransaction, RootTransaction, Transaction, TwoPhaseTransaction
from .url import URL, make_url
from .util import ExceptionContext

__all__ = [
    "Connection",
    "CursorResult",
    "DefaultDialect",
    "DefaultExecutionContext",
    "Dialect",
    "Engine",
    "ExceptionContext",
    "ExecutionContext",
    "FrozenResult",
    "IteratorResult",
    "MappingResult",
    "NestedTransaction",
    "OptionEngine",
    "Result",
    "ResultMetaData",
    "RootTransaction",
    "Row",
    "RowMapping",
    "ScalarResult",
    "Transaction",
    "TupleResult",
    "TwoPhaseTransaction",
    "URL",
    "create_engine",
    "engine_from_config",
    "make_url",
    "result_tuple",
]
