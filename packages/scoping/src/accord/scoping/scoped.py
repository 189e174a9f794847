"""``scoped_session``: one Session per scope (thread, task...) and a proxy to the current one."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from accord import exc
from accord.orm import Session

from .query_property import QueryPropertyDescriptor
from .registry import ScopedRegistry, ThreadLocalRegistry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from contextlib import AbstractContextManager

    from accord.orm import IdentityMap, SessionTransaction

__all__ = ["scoped_session"]

_S = TypeVar("_S", bound=Session)


class scoped_session(Generic[_S]):
    """A registry of Sessions, one per scope, that also acts as the current scope's Session.

    ``Session = scoped_session(sessionmaker(engine))``; then ``Session()`` is this scope's
    Session and ``Session.add(obj)`` is ``Session().add(obj)``.  The scope is the thread by
    default, ``scopefunc()`` if given, or whatever ``registry`` (for example a
    ``ContextVarRegistry``, a Session per asyncio task) decides.
    """

    session_factory: Callable[..., _S]
    """The factory making each scope's Session (usually a ``sessionmaker``)."""

    registry: ScopedRegistry[_S]
    """The registry holding the Session of each scope."""

    def __init__(
        self,
        session_factory: Callable[..., _S],
        scopefunc: Callable[[], Any] | None = None,
        registry: ScopedRegistry[_S]
        | Callable[[Callable[[], _S]], ScopedRegistry[_S]]
        | None = None,
    ) -> None:
        if scopefunc is not None and registry is not None:
            raise exc.ArgumentError(
                "Pass either scopefunc or registry to scoped_session, not both"
            )
        self.session_factory = session_factory
        if isinstance(registry, ScopedRegistry):
            self.registry = registry
        elif registry is not None:
            # a registry class (or factory of registries) given the session factory
            self.registry = registry(session_factory)
        elif scopefunc is not None:
            self.registry = ScopedRegistry(session_factory, scopefunc)
        else:
            self.registry = ThreadLocalRegistry(session_factory)

    def __call__(self, **kw: Any) -> _S:
        """The current scope's Session; with arguments, make it (an error if one exists)."""
        if kw:
            if self.registry.has():
                raise exc.InvalidRequestError(
                    "Scoped session is already present; no new arguments may be specified."
                )
            session = self.session_factory(**kw)
            self.registry.set(session)
            return session
        return self.registry()

    def remove(self) -> None:
        """Close the current scope's Session (if any), then discard it from the registry."""
        if self.registry.has():
            self.registry().close()
        self.registry.clear()

    def configure(self, **kw: Any) -> None:
        """Reconfigure the ``sessionmaker`` for Sessions made from now on."""
        if self.registry.has():
            warnings.warn(
                "At least one scoped session is already present.  configure() can not "
                "affect sessions that have already been created.",
                stacklevel=2,
            )
        configure = getattr(self.session_factory, "configure", None)
        if configure is None:
            raise exc.InvalidRequestError(
                "configure() needs a session_factory with a configure() method (a sessionmaker)"
            )
        configure(**kw)

    def query_property(
        self, query_cls: Callable[..., Any] | None = None
    ) -> QueryPropertyDescriptor:
        """A class attribute giving a ``Query`` of the class from the current Session."""
        return QueryPropertyDescriptor(self, query_cls)

    def __repr__(self) -> str:
        return f"<scoped_session of {self.session_factory!r} in {type(self.registry).__name__}>"

    # --- BEGIN generated proxies (packages/scoping/tools/gen_proxies.py; do not edit by hand) ---
    # Every public method, property and attribute of accord.orm.Session, forwarded to the
    # current scope's Session.  Regenerate after Session's public API changes:
    #     .venv/bin/python packages/scoping/tools/gen_proxies.py

    def __contains__(self, instance: object) -> bool:
        """Proxy for ``Session.__contains__()`` of the current scope."""
        return self.registry().__contains__(instance)

    def __iter__(self) -> Iterator[Any]:
        """Proxy for ``Session.__iter__()`` of the current scope."""
        return self.registry().__iter__()

    def add(self, instance: object) -> None:
        """Proxy for ``Session.add()`` of the current scope."""
        self.registry().add(instance)

    def add_all(self, instances: Iterable[object]) -> None:
        """Proxy for ``Session.add_all()`` of the current scope."""
        self.registry().add_all(instances)

    def begin(self, nested: bool = False) -> SessionTransaction:
        """Proxy for ``Session.begin()`` of the current scope."""
        return self.registry().begin(nested)

    def begin_nested(self) -> SessionTransaction:
        """Proxy for ``Session.begin_nested()`` of the current scope."""
        return self.registry().begin_nested()

    def bind_mapper(self, mapper: Any, bind: Any) -> None:
        """Proxy for ``Session.bind_mapper()`` of the current scope."""
        self.registry().bind_mapper(mapper, bind)

    def bind_table(self, table: Any, bind: Any) -> None:
        """Proxy for ``Session.bind_table()`` of the current scope."""
        self.registry().bind_table(table, bind)

    def bulk_insert_mappings(
        self,
        mapper: Any,
        mappings: Iterable[Mapping[str, Any]],
        return_defaults: bool = False,
        render_nulls: bool = False,
    ) -> None:
        """Proxy for ``Session.bulk_insert_mappings()`` of the current scope."""
        self.registry().bulk_insert_mappings(mapper, mappings, return_defaults, render_nulls)

    def bulk_save_objects(
        self,
        objects: Iterable[object],
        return_defaults: bool = False,
        update_changed_only: bool = True,
        preserve_order: bool = True,
    ) -> None:
        """Proxy for ``Session.bulk_save_objects()`` of the current scope."""
        self.registry().bulk_save_objects(
            objects, return_defaults, update_changed_only, preserve_order
        )

    def bulk_update_mappings(self, mapper: Any, mappings: Iterable[Mapping[str, Any]]) -> None:
        """Proxy for ``Session.bulk_update_mappings()`` of the current scope."""
        self.registry().bulk_update_mappings(mapper, mappings)

    def close(self) -> None:
        """Proxy for ``Session.close()`` of the current scope."""
        self.registry().close()

    def commit(self) -> None:
        """Proxy for ``Session.commit()`` of the current scope."""
        self.registry().commit()

    def connection(
        self,
        bind_arguments: Mapping[str, Any] | None = None,
        execution_options: Mapping[str, Any] | None = None,
    ) -> Any:
        """Proxy for ``Session.connection()`` of the current scope."""
        return self.registry().connection(bind_arguments, execution_options)

    def delete(self, instance: object) -> None:
        """Proxy for ``Session.delete()`` of the current scope."""
        self.registry().delete(instance)

    def execute(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
    ) -> Any:
        """Proxy for ``Session.execute()`` of the current scope."""
        return self.registry().execute(
            statement, params, execution_options=execution_options, bind_arguments=bind_arguments
        )

    def expire(self, instance: object, attribute_names: Iterable[str] | None = None) -> None:
        """Proxy for ``Session.expire()`` of the current scope."""
        self.registry().expire(instance, attribute_names)

    def expire_all(self) -> None:
        """Proxy for ``Session.expire_all()`` of the current scope."""
        self.registry().expire_all()

    def expunge(self, instance: object) -> None:
        """Proxy for ``Session.expunge()`` of the current scope."""
        self.registry().expunge(instance)

    def expunge_all(self) -> None:
        """Proxy for ``Session.expunge_all()`` of the current scope."""
        self.registry().expunge_all()

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        """Proxy for ``Session.flush()`` of the current scope."""
        self.registry().flush(objects)

    def get(
        self,
        entity: Any,
        ident: Any,
        *,
        populate_existing: bool = False,
        with_for_update: Any = None,
        identity_token: Any = None,
        execution_options: Mapping[str, Any] | None = None,
        options: Sequence[Any] | None = None,
    ) -> Any:
        """Proxy for ``Session.get()`` of the current scope."""
        return self.registry().get(
            entity,
            ident,
            populate_existing=populate_existing,
            with_for_update=with_for_update,
            identity_token=identity_token,
            execution_options=execution_options,
            options=options,
        )

    def get_bind(
        self, mapper: Any = None, *, clause: Any = None, bind: Any = None, **kw: Any
    ) -> Any:
        """Proxy for ``Session.get_bind()`` of the current scope."""
        return self.registry().get_bind(mapper, clause=clause, bind=bind, **kw)

    def get_nested_transaction(self) -> SessionTransaction | None:
        """Proxy for ``Session.get_nested_transaction()`` of the current scope."""
        return self.registry().get_nested_transaction()

    def get_one(self, entity: Any, ident: Any, **kw: Any) -> Any:
        """Proxy for ``Session.get_one()`` of the current scope."""
        return self.registry().get_one(entity, ident, **kw)

    def get_transaction(self) -> SessionTransaction | None:
        """Proxy for ``Session.get_transaction()`` of the current scope."""
        return self.registry().get_transaction()

    def in_nested_transaction(self) -> bool:
        """Proxy for ``Session.in_nested_transaction()`` of the current scope."""
        return self.registry().in_nested_transaction()

    def in_transaction(self) -> bool:
        """Proxy for ``Session.in_transaction()`` of the current scope."""
        return self.registry().in_transaction()

    def invalidate(self) -> None:
        """Proxy for ``Session.invalidate()`` of the current scope."""
        self.registry().invalidate()

    def is_modified(self, instance: object, include_collections: bool = True) -> bool:
        """Proxy for ``Session.is_modified()`` of the current scope."""
        return self.registry().is_modified(instance, include_collections)

    def merge(self, instance: object, load: bool = True) -> Any:
        """Proxy for ``Session.merge()`` of the current scope."""
        return self.registry().merge(instance, load)

    def prepare(self) -> None:
        """Proxy for ``Session.prepare()`` of the current scope."""
        self.registry().prepare()

    def query(self, *entities: Any) -> Any:
        """Proxy for ``Session.query()`` of the current scope."""
        return self.registry().query(*entities)

    def refresh(
        self,
        instance: object,
        attribute_names: Iterable[str] | None = None,
        with_for_update: Any = None,
    ) -> None:
        """Proxy for ``Session.refresh()`` of the current scope."""
        self.registry().refresh(instance, attribute_names, with_for_update)

    def reset(self) -> None:
        """Proxy for ``Session.reset()`` of the current scope."""
        self.registry().reset()

    def rollback(self) -> None:
        """Proxy for ``Session.rollback()`` of the current scope."""
        self.registry().rollback()

    def scalar(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
    ) -> Any:
        """Proxy for ``Session.scalar()`` of the current scope."""
        return self.registry().scalar(
            statement, params, execution_options=execution_options, bind_arguments=bind_arguments
        )

    def scalars(
        self,
        statement: Any,
        params: Any = None,
        *,
        execution_options: Mapping[str, Any] | None = None,
        bind_arguments: Mapping[str, Any] | None = None,
    ) -> Any:
        """Proxy for ``Session.scalars()`` of the current scope."""
        return self.registry().scalars(
            statement, params, execution_options=execution_options, bind_arguments=bind_arguments
        )

    @classmethod
    def close_all(cls) -> None:
        """Proxy for ``Session.close_all()`` of the current scope."""
        Session.close_all()

    @classmethod
    def identity_key(
        cls,
        class_: type | None = None,
        ident: Any = None,
        *,
        instance: object | None = None,
        row: Any = None,
        identity_token: Any = None,
    ) -> Any:
        """Proxy for ``Session.identity_key()`` of the current scope."""
        return Session.identity_key(
            class_, ident, instance=instance, row=row, identity_token=identity_token
        )

    @classmethod
    def object_session(cls, instance: object) -> Session | None:
        """Proxy for ``Session.object_session()`` of the current scope."""
        return Session.object_session(instance)

    @property
    def deleted(self) -> list[Any]:
        """Proxy for ``Session.deleted`` of the current scope."""
        return self.registry().deleted

    @property
    def dirty(self) -> list[Any]:
        """Proxy for ``Session.dirty`` of the current scope."""
        return self.registry().dirty

    @property
    def is_active(self) -> bool:
        """Proxy for ``Session.is_active`` of the current scope."""
        return self.registry().is_active

    @property
    def new(self) -> list[Any]:
        """Proxy for ``Session.new`` of the current scope."""
        return self.registry().new

    @property
    def no_autoflush(self) -> AbstractContextManager[Session]:
        """Proxy for ``Session.no_autoflush`` of the current scope."""
        return self.registry().no_autoflush

    @property
    def autobegin(self) -> bool:
        """Proxy for ``Session.autobegin`` of the current scope."""
        return self.registry().autobegin

    @autobegin.setter
    def autobegin(self, value: bool) -> None:
        self.registry().autobegin = value

    @property
    def autoflush(self) -> bool:
        """Proxy for ``Session.autoflush`` of the current scope."""
        return self.registry().autoflush

    @autoflush.setter
    def autoflush(self, value: bool) -> None:
        self.registry().autoflush = value

    @property
    def bind(self) -> Any:
        """Proxy for ``Session.bind`` of the current scope."""
        return self.registry().bind

    @bind.setter
    def bind(self, value: Any) -> None:
        self.registry().bind = value

    @property
    def binds(self) -> dict[Any, Any]:
        """Proxy for ``Session.binds`` of the current scope."""
        return self.registry().binds

    @binds.setter
    def binds(self, value: dict[Any, Any]) -> None:
        self.registry().binds = value

    @property
    def expire_on_commit(self) -> bool:
        """Proxy for ``Session.expire_on_commit`` of the current scope."""
        return self.registry().expire_on_commit

    @expire_on_commit.setter
    def expire_on_commit(self, value: bool) -> None:
        self.registry().expire_on_commit = value

    @property
    def hash_key(self) -> int:
        """Proxy for ``Session.hash_key`` of the current scope."""
        return self.registry().hash_key

    @hash_key.setter
    def hash_key(self, value: int) -> None:
        self.registry().hash_key = value

    @property
    def identity_map(self) -> IdentityMap:
        """Proxy for ``Session.identity_map`` of the current scope."""
        return self.registry().identity_map

    @identity_map.setter
    def identity_map(self, value: IdentityMap) -> None:
        self.registry().identity_map = value

    @property
    def info(self) -> dict[Any, Any]:
        """Proxy for ``Session.info`` of the current scope."""
        return self.registry().info

    @info.setter
    def info(self, value: dict[Any, Any]) -> None:
        self.registry().info = value

    @property
    def join_transaction_mode(self) -> str:
        """Proxy for ``Session.join_transaction_mode`` of the current scope."""
        return self.registry().join_transaction_mode

    @join_transaction_mode.setter
    def join_transaction_mode(self, value: str) -> None:
        self.registry().join_transaction_mode = value

    @property
    def twophase(self) -> bool:
        """Proxy for ``Session.twophase`` of the current scope."""
        return self.registry().twophase

    @twophase.setter
    def twophase(self, value: bool) -> None:
        self.registry().twophase = value

    # --- END generated proxies ---
