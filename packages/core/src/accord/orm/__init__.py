"""The ORM: declarative mapping, instrumented attributes, object state and the identity map."""

from __future__ import annotations

from accord.orm.attributes import (
    History,
    InstrumentedAttribute,
    QueryableAttribute,
    del_attribute,
    flag_dirty,
    flag_modified,
    get_attribute,
    get_history,
    init_collection,
    is_instrumented,
    set_attribute,
    set_committed_value,
)
from accord.orm.base import (
    NEVER_SET,
    NO_VALUE,
    LoaderCallableStatus,
    Mapped,
    ObjectState,
    PassiveFlag,
    class_mapper,
    instance_dict,
    instance_state,
    object_mapper,
)
from accord.orm.collections import InstrumentedList, InstrumentedSet
from accord.orm.declarative import DeclarativeBase, declarative_base, declared_attr, registry
from accord.orm.events import AttributeEvents, InstanceEvents, MapperEvents, SessionEvents
from accord.orm.identity import IdentityMap, identity_key
from accord.orm.instrumentation import ClassManager
from accord.orm.loading import ORMExecuteState
from accord.orm.mapper import Mapper, configure_mappers
from accord.orm.properties import (
    ColumnProperty,
    MappedColumn,
    MapperProperty,
    column_property,
    deferred,
    mapped_column,
)
from accord.orm.relationships import (
    CascadeOptions,
    RelationshipDirection,
    RelationshipProperty,
    backref,
    relationship,
)
from accord.orm.session import (
    Session,
    close_all_sessions,
    make_transient,
    make_transient_to_detached,
    object_session,
    sessionmaker,
)
from accord.orm.session_transaction import SessionTransaction, SessionTransactionOrigin
from accord.orm.state import AttributeState, InstanceState
from accord.orm.util import has_identity, object_state, was_deleted
from accord.orm.writeonly import WriteOnlyCollection

__all__ = [
    "AttributeEvents",
    "AttributeState",
    "CascadeOptions",
    "ClassManager",
    "ColumnProperty",
    "DeclarativeBase",
    "History",
    "IdentityMap",
    "InstanceEvents",
    "InstanceState",
    "InstrumentedAttribute",
    "InstrumentedList",
    "InstrumentedSet",
    "LoaderCallableStatus",
    "Mapped",
    "MappedColumn",
    "Mapper",
    "MapperEvents",
    "MapperProperty",
    "NEVER_SET",
    "NO_VALUE",
    "ORMExecuteState",
    "ObjectState",
    "PassiveFlag",
    "QueryableAttribute",
    "RelationshipDirection",
    "RelationshipProperty",
    "Session",
    "SessionEvents",
    "SessionTransaction",
    "SessionTransactionOrigin",
    "WriteOnlyCollection",
    "backref",
    "class_mapper",
    "close_all_sessions",
    "column_property",
    "configure_mappers",
    "declarative_base",
    "declared_attr",
    "deferred",
    "del_attribute",
    "flag_dirty",
    "flag_modified",
    "get_attribute",
    "get_history",
    "has_identity",
    "identity_key",
    "init_collection",
    "instance_dict",
    "instance_state",
    "is_instrumented",
    "make_transient",
    "make_transient_to_detached",
    "mapped_column",
    "object_mapper",
    "object_session",
    "object_state",
    "registry",
    "relationship",
    "sessionmaker",
    "set_attribute",
    "set_committed_value",
    "was_deleted",
]
